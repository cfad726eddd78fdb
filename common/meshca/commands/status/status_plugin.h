#pragma once
// kubectl meshca status as an executable: where the migration stands and the next command
// (cli/plugin_runner.h runs it).

#include "meshca/cli/plugin_runner.h"
#include "meshca/commands/status/status_cli.h"

namespace meshca {

const PluginDefinition<StatusCommand>& status_plugin();

} // namespace meshca
