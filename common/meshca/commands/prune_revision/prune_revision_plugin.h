#pragma once
// kubectl meshca prune-revision as an executable: remove an old control-plane revision once
// nothing uses it (cli/plugin_runner.h runs it).

#include "meshca/cli/plugin_runner.h"
#include "meshca/commands/prune_revision/prune_revision_cli.h"

namespace meshca {

const PluginDefinition<PruneRevisionCommand>& prune_revision_plugin();

} // namespace meshca
