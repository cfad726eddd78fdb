#include "meshca/commands/relabel/relabel_plugin.h"

#include "meshca/checks/trust_gate_setup.h"
#include "meshca/commands/relabel/relabel_output.h"
#include "meshca/mesh/meshca_bundle_source.h"

namespace meshca {
namespace {

RunOutcome run(const RelabelCommand& command, PluginContext& context) {
  MESHCA_TRY_ASSIGN(auto mesh, connect_to_mesh(command.common));
  TrustGateSession gate(mesh.kubectl_path, command.common, command.meshca_bundle, context.err,
                        first_cluster(mesh, command.common));
  RelabelOptions options = command.options;
  options.trust_gate = gate.check();
  std::optional<MeshCaRecognizer> recognizer; // loaded for the first move that starts a round
  KubectlRunner& kubectl = mesh.runner();
  const RecognizerLoader load = [&]() -> Result<const MeshCaRecognizer*> {
    if (!recognizer) {
      MESHCA_TRY_ASSIGN(auto loaded,
                        load_meshca_recognizer({command.meshca_bundle, default_cache_dir()}));
      recognizer.emplace(std::move(loaded));
    }
    return &*recognizer;
  };
  options.preflight = [&](const std::string& revision, const std::vector<std::string>& names) {
    return check_move_preflight(kubectl, load, revision, names);
  };
  const RelabelReport report = run_relabel(kubectl, options, context.err);
  if (!report.namespaces.empty())
    context.out << render_relabel(report, command.options.output) << std::flush;
  RunOutcome outcome(report.status);
  outcome.errors = report.errors;
  if (command.options.output == OutputFormat::text)
    outcome.after_errors = render_relabel_next_step(report);
  return outcome;
}

std::string selector(const RelabelCommand& command) {
  return command.options.selector.value_or("");
}

} // namespace

const PluginDefinition<RelabelCommand>& relabel_plugin() {
  static const PluginDefinition<RelabelCommand> plugin{
      "relabel", parse_relabel, print_relabel_help, expand_stdin_names, run, selector};
  return plugin;
}

} // namespace meshca
