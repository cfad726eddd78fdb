#include "meshca/commands/status/status_plugin.h"

#include "meshca/checks/preflight.h"
#include "meshca/checks/status_phase.h"
#include "meshca/checks/status_snapshot.h"
#include "meshca/commands/status/status_output.h"

namespace meshca {
namespace {

RunOutcome run(const StatusCommand& command, PluginContext& context) {
  MESHCA_TRY_ASSIGN(auto mesh, connect_to_mesh(command.common));
  MESHCA_TRY_ASSIGN(auto snapshot, read_preflight_snapshot(mesh.runner(), ExtraReads::optional));
  MeshStatus status = build_status(snapshot.status.inputs());
  decide_phase(status);
  if (!snapshot.unread.empty()) {
    // What status reports was read; only the one-line preflight is missing.
    status.preflight = PreflightSummary{status.step, status.step_revision, 0, 0,
                                        "not evaluated: " + snapshot.unread};
  } else {
    // status fetches no trust bundle: Mesh CA roots are told by their subject CN here.
    const auto recognizer = MeshCaRecognizer::by_subject_cn("status reads no trust bundle");
    MESHCA_TRY_ASSIGN(auto report, evaluate_preflight(snapshot, {}, recognizer));
    status.preflight = PreflightSummary{std::string(to_string(report.step)), report.revision,
                                        report.count(CheckResult::failure),
                                        report.count(CheckResult::warning), report.verdict()};
  }
  switch (command.output) {
  case OutputFormat::json:
    context.out << render_status_json(status);
    break;
  case OutputFormat::yaml:
    context.out << render_status_yaml(status);
    break;
  default:
    context.out << render_status_text(status);
    break;
  }
  return ExitStatus::ok;
}

} // namespace

const PluginDefinition<StatusCommand>& status_plugin() {
  static const PluginDefinition<StatusCommand> plugin{"status", parse_status, print_status_help,
                                                      nullptr, run};
  return plugin;
}

} // namespace meshca
