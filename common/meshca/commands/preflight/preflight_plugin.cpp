#include "meshca/commands/preflight/preflight_plugin.h"

#include "meshca/checks/preflight.h"
#include "meshca/commands/preflight/preflight_output.h"
#include "meshca/mesh/meshca_bundle_source.h"
#include "meshca/util/terminal.h"

#include <unistd.h>

namespace meshca {
namespace {

RunOutcome run(const PreflightCommand& command, PluginContext& context) {
  MESHCA_TRY_ASSIGN(auto recognizer,
                    load_meshca_recognizer({command.meshca_bundle, default_cache_dir()}));
  MESHCA_TRY_ASSIGN(auto mesh, connect_to_mesh(command.common));
  MESHCA_TRY_ASSIGN(auto snapshot, read_preflight_snapshot(mesh.runner()));
  MESHCA_TRY_ASSIGN(auto report,
                    evaluate_preflight(snapshot, {command.step, command.revision}, recognizer));
  switch (command.output) {
  case OutputFormat::json:
    context.out << render_preflight_json(report);
    break;
  case OutputFormat::yaml:
    context.out << render_preflight_yaml(report);
    break;
  default:
    context.err << recognizer.description() << '\n';
    context.out << render_preflight_text(
        report, {is_terminal(STDOUT_FILENO), color_enabled(STDOUT_FILENO)});
    break;
  }
  return report.blocked() ? ExitStatus::check_failed : ExitStatus::ok;
}

} // namespace

const PluginDefinition<PreflightCommand>& preflight_plugin() {
  static const PluginDefinition<PreflightCommand> plugin{"preflight", parse_preflight,
                                                         print_preflight_help, nullptr, run};
  return plugin;
}

} // namespace meshca
