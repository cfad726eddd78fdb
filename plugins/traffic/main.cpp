// kubectl meshca traffic: which workloads failed to set up mTLS with which, from the proxies'
// own counters.

#include "meshca/commands/traffic/traffic_plugin.h"

int main(int argc, char** argv) {
  return meshca::run_plugin(meshca::traffic_plugin(), argc, argv);
}
