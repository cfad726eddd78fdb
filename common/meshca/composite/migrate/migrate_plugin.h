#pragma once
// kubectl meshca migrate as an executable (cli/plugin_runner.h runs it).

#include "meshca/cli/plugin_runner.h"
#include "meshca/composite/migrate/migrate_cli.h"

namespace meshca {

const PluginDefinition<MigrateCommand>& migrate_plugin();

} // namespace meshca
