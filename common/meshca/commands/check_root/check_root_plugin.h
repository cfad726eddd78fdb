#pragma once
// kubectl meshca check-root as an executable: what every sidecar trusts, who issued its
// certificate, which trust domains it accepts (cli/plugin_runner.h runs it).

#include "meshca/cli/plugin_runner.h"
#include "meshca/commands/check_root/check_root_cli.h"

namespace meshca {

const PluginDefinition<CheckRootCommand>& check_root_plugin();

} // namespace meshca
