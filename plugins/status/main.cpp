// kubectl meshca status: where the migration stands and the next command to run.

#include "meshca/commands/status/status_plugin.h"

int main(int argc, char** argv) {
  return meshca::run_plugin(meshca::status_plugin(), argc, argv);
}
