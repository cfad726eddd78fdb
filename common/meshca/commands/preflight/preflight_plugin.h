#pragma once
// kubectl meshca preflight as an executable: whether the control plane can carry the next step
// (cli/plugin_runner.h runs it).

#include "meshca/cli/plugin_runner.h"
#include "meshca/commands/preflight/preflight_cli.h"

namespace meshca {

const PluginDefinition<PreflightCommand>& preflight_plugin();

} // namespace meshca
