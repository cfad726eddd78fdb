#include "meshca/commands/prune_revision/prune_revision_plugin.h"

#include "meshca/checks/traffic_gate.h"
#include "meshca/cli/confirm.h"
#include "meshca/commands/prune_revision/prune_revision.h"

namespace meshca {
namespace {

RunOutcome run(const PruneRevisionCommand& command, PluginContext& context) {
  MESHCA_TRY_ASSIGN(auto mesh, connect_to_mesh(command.common));
  PruneEnvironment env{
      mesh.runner(),
      [&](std::string_view question) { return confirm(question, command.options.assume_yes); },
      context.out, context.err};
  TrafficGateSession traffic(mesh.kubectl_path, command.common, std::nullopt, context.err);
  if (command.traffic.enabled)
    MESHCA_TRY(traffic.before(&context.cancel));
  if (auto pruned = run_prune_revision(command.options, env); !pruned)
    return pruned.error();
  return traffic_verdict(command.traffic, traffic, context, context.out);
}

} // namespace

const PluginDefinition<PruneRevisionCommand>& prune_revision_plugin() {
  static const PluginDefinition<PruneRevisionCommand> plugin{
      "prune-revision", parse_prune_revision, print_prune_revision_help, nullptr, run};
  return plugin;
}

} // namespace meshca
