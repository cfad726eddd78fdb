#pragma once
// kubectl meshca relabel as an executable: move namespaces to a control-plane revision, or back
// (cli/plugin_runner.h runs it).

#include "meshca/cli/plugin_runner.h"
#include "meshca/commands/relabel/relabel_cli.h"

namespace meshca {

const PluginDefinition<RelabelCommand>& relabel_plugin();

} // namespace meshca
