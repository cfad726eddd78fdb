#include "meshca/commands/rollout/rollout_plugin.h"

#include "meshca/checks/traffic_gate.h"
#include "meshca/checks/trust_gate_setup.h"
#include "meshca/commands/rollout/rollout_output.h"

namespace meshca {
namespace {

RunOutcome run(const RolloutCommand& command, PluginContext& context) {
  MESHCA_TRY_ASSIGN(auto mesh, connect_to_mesh(command.common));
  TrustGateSession gate(mesh.kubectl_path, command.common, command.meshca_bundle, context.err,
                        first_cluster(mesh, command.common));
  RolloutOptions options = command.options;
  options.trust_gate = gate.check();
  TrafficGateSession traffic(mesh.kubectl_path, command.common, command.meshca_bundle, context.err);
  if (command.traffic.enabled)
    MESHCA_TRY(traffic.before(&context.cancel));
  const RolloutReport report = run_rollout(mesh.runner(), options, &context.cancel);
  for (const std::string& warning : report.warnings)
    context.err << "kubectl meshca rollout: warning: " << warning << '\n';
  if (!report.scopes.empty())
    context.out << render_rollout(report, command.options.output) << std::flush;
  for (const std::string& note : report.notes)
    context.err << "kubectl meshca rollout: note: " << note << '\n';
  RunOutcome outcome(report.status);
  outcome.errors = report.errors;
  bool restarted_something = false; // a refused or empty run has nothing to watch
  for (const RolloutScope& scope : report.scopes)
    for (const WorkloadRollout& workload : scope.workloads)
      restarted_something |= workload.state == RolloutState::complete ||
                             workload.state == RolloutState::timed_out ||
                             workload.state == RolloutState::failed;
  if (restarted_something && !context.cancel.load()) {
    const RunOutcome watched =
        traffic_verdict(command.traffic, traffic, context,
                        command.options.output == OutputFormat::json ? context.err : context.out);
    outcome.status = worst(outcome.status, watched.status);
    outcome.errors.insert(outcome.errors.end(), watched.errors.begin(), watched.errors.end());
  }
  return outcome;
}

} // namespace

const PluginDefinition<RolloutCommand>& rollout_plugin() {
  static const PluginDefinition<RolloutCommand> plugin{"rollout", parse_rollout, print_rollout_help,
                                                       expand_stdin_namespaces, run};
  return plugin;
}

} // namespace meshca
