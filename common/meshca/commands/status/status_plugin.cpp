#include "meshca/commands/status/status_plugin.h"

#include "meshca/commands/status/status_output.h"
#include "meshca/commands/status/status_phase.h"
#include "meshca/commands/status/status_snapshot.h"

namespace meshca {
namespace {

RunOutcome run(const StatusCommand& command, PluginContext& context) {
  MESHCA_TRY_ASSIGN(auto mesh, connect_to_mesh(command.common));
  MESHCA_TRY_ASSIGN(auto snapshot, read_status_snapshot(*mesh.kubectl));
  MeshStatus status = build_status(snapshot.inputs());
  decide_phase(status);
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
