// kubectl meshca prune-revision: remove an old control-plane revision once nothing uses it.

#include "meshca/commands/prune_revision/prune_revision_plugin.h"

int main(int argc, char** argv) {
  return meshca::run_plugin(meshca::prune_revision_plugin(), argc, argv);
}
