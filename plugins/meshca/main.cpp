// kubectl-meshca: the dispatcher. Prints help and version, and runs the command's executable
// from its own folder (krew links only this one binary) or, failing that, from PATH.

#include "meshca/commands/dispatcher.h"

int main(int argc, char** argv) {
  return meshca::run_dispatcher(argc, argv);
}
