// kubectl meshca relabel: move namespaces to a control-plane revision, or back.

#include "meshca/commands/relabel/relabel_plugin.h"

int main(int argc, char** argv) {
  return meshca::run_plugin(meshca::relabel_plugin(), argc, argv);
}
