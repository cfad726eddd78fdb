// kubectl meshca preflight: whether the control plane is configured for the next step.

#include "meshca/commands/preflight/preflight_plugin.h"

int main(int argc, char** argv) {
  return meshca::run_plugin(meshca::preflight_plugin(), argc, argv);
}
