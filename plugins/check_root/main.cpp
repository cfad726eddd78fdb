// kubectl meshca check-root: what every sidecar trusts, who issued its certificate, which trust
// domains it accepts.

#include "meshca/commands/check_root/check_root_plugin.h"

int main(int argc, char** argv) {
  return meshca::run_plugin(meshca::check_root_plugin(), argc, argv);
}
