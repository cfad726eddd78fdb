#include "meshca/commands/cleanup_secrets/cleanup_secrets_plugin.h"

#include "meshca/checks/traffic_gate.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets.h"
#include "meshca/mesh/meshca_bundle_source.h"

namespace meshca {
namespace {

RunOutcome run(const CleanupSecretsCommand& command, PluginContext& context) {
  const CleanupSecretsOptions& options = command.options;
  if (options.mode == CleanupMode::cleanup) {
    if (auto usable = check_backup_dir_usable(options.dir); !usable)
      return usable.error();
  }
  MESHCA_TRY_ASSIGN(auto mesh, connect_to_mesh(command.common));
  KubectlRunner& kubectl = mesh.runner();
  CleanupEnvironment env{
      kubectl,
      [&]() -> Result<CheckRootResult> {
        MESHCA_TRY_ASSIGN(auto recognizer,
                          load_meshca_recognizer({options.meshca_bundle, default_cache_dir()}));
        context.err << recognizer.description() << '\n';
        // The sidecars through the run's proxy when it started, as check-root reads them.
        return check_clusters(
            {{"", &kubectl, mesh.readers.lister.get(), mesh.readers.fetcher.get()}},
            precondition_check_options(options), recognizer, &context.cancel);
      },
      [&](std::string_view question) { return confirm(question, options.assume_yes); }, context.out,
      context.err};
  TrafficGateSession traffic(mesh.kubectl_path, command.common, options.meshca_bundle, context.err);
  if (command.traffic.enabled)
    MESHCA_TRY(traffic.before(&context.cancel));
  const Status done = options.mode == CleanupMode::restore ? run_restore_secrets(options, env)
                                                           : run_cleanup_secrets(options, env);
  if (!done)
    return done.error();
  return traffic_verdict(command.traffic, traffic, context, context.out);
}

} // namespace

const PluginDefinition<CleanupSecretsCommand>& cleanup_secrets_plugin() {
  static const PluginDefinition<CleanupSecretsCommand> plugin{
      "cleanup-secrets", parse_cleanup_secrets, print_cleanup_secrets_help, nullptr, run};
  return plugin;
}

} // namespace meshca
