#pragma once
// kubectl meshca rollout as an executable: restart namespaces' workloads and prove every sidecar
// moved to the namespace's revision (cli/plugin_runner.h runs it).

#include "meshca/cli/plugin_runner.h"
#include "meshca/commands/rollout/rollout_cli.h"

namespace meshca {

const PluginDefinition<RolloutCommand>& rollout_plugin();

} // namespace meshca
