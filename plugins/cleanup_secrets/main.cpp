// kubectl meshca cleanup-secrets: back up and delete the old Istio CA secrets, then restart istiod.

#include "meshca/commands/cleanup_secrets/cleanup_secrets_plugin.h"

int main(int argc, char** argv) {
  return meshca::run_plugin(meshca::cleanup_secrets_plugin(), argc, argv);
}
