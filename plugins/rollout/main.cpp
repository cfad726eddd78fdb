// kubectl meshca rollout: restart namespaces' workloads and prove every sidecar moved to the
// namespace's revision.

#include "meshca/commands/rollout/rollout_plugin.h"

int main(int argc, char** argv) {
  return meshca::run_plugin(meshca::rollout_plugin(), argc, argv);
}
