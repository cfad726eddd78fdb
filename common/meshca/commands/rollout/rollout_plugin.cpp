#include "meshca/commands/rollout/rollout_plugin.h"

#include "meshca/checks/trust_gate_setup.h"
#include "meshca/commands/rollout/rollout_output.h"

namespace meshca {
namespace {

RunOutcome run(const RolloutCommand& command, PluginContext& context) {
  MESHCA_TRY_ASSIGN(auto mesh, connect_to_mesh(command.common));
  TrustGateSession gate(mesh.kubectl_path, command.common, command.meshca_bundle, context.err);
  RolloutOptions options = command.options;
  options.trust_gate = gate.check();
  const RolloutReport report = run_rollout(*mesh.kubectl, options, &context.cancel);
  for (const std::string& warning : report.warnings)
    context.err << "kubectl meshca rollout: warning: " << warning << '\n';
  if (!report.scopes.empty())
    context.out << render_rollout(report, command.options.output) << std::flush;
  for (const std::string& note : report.notes)
    context.err << "kubectl meshca rollout: note: " << note << '\n';
  RunOutcome outcome(report.status);
  outcome.errors = report.errors;
  return outcome;
}

} // namespace

const PluginDefinition<RolloutCommand>& rollout_plugin() {
  static const PluginDefinition<RolloutCommand> plugin{"rollout", parse_rollout, print_rollout_help,
                                                       expand_stdin_namespaces, run};
  return plugin;
}

} // namespace meshca
