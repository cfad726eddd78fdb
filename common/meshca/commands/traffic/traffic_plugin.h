#pragma once
// kubectl meshca traffic as an executable: which workloads failed to set up mTLS with which,
// from every sidecar's own counters (cli/plugin_runner.h runs it).

#include "meshca/cli/plugin_runner.h"
#include "meshca/commands/traffic/traffic_cli.h"

namespace meshca {

const PluginDefinition<TrafficCommand>& traffic_plugin();

} // namespace meshca
