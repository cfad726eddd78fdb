#pragma once
// kubectl meshca cleanup-secrets as an executable: back up and delete the old Istio CA secrets,
// then restart istiod; or restore them (cli/plugin_runner.h runs it).

#include "meshca/cli/plugin_runner.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_cli.h"

namespace meshca {

const PluginDefinition<CleanupSecretsCommand>& cleanup_secrets_plugin();

} // namespace meshca
