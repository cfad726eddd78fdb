#include "meshca/commands/traffic/traffic_plugin.h"

#include "meshca/cli/kubeconfig_check.h"
#include "meshca/commands/traffic/traffic_measure.h"
#include "meshca/mesh/meshca_bundle_source.h"

#include <memory>

namespace meshca {
namespace {

RunOutcome run(const TrafficCommand& command, PluginContext& context) {
  const TrafficOptions& o = command.options;
  std::optional<TrafficSnapshot> before;
  if (o.since) { // a bad snapshot is bad input, found before the cluster is read
    MESHCA_TRY_ASSIGN(auto loaded, load_snapshot(*o.since));
    before = std::move(loaded);
  }
  if (o.save)
    MESHCA_TRY(check_snapshot_destination(*o.save));
  MESHCA_TRY_ASSIGN(auto recognizer,
                    load_meshca_recognizer({o.meshca_bundle, default_cache_dir()}));
  MESHCA_TRY_ASSIGN(auto kubectl_path, prepare_kubectl(command.common));
  MESHCA_TRY_ASSIGN(auto measured,
                    measure_traffic(kubectl_path, command.common, o, std::move(before), recognizer,
                                    context.err, &context.cancel));
  const TrafficReport& report = measured.report;
  const TrafficSnapshot& snapshot = measured.snapshot;

  RunOutcome outcome;
  if (o.save) {
    if (auto saved = save_snapshot(snapshot, *o.save); !saved)
      outcome.errors.push_back(saved.error());
    else
      context.err << "Saved the counters of " << snapshot.pods.size() << " sidecars to " << *o.save
                  << "\n";
  }
  switch (o.output) {
  case OutputFormat::json:
    context.out << render_traffic_json(report);
    break;
  case OutputFormat::yaml:
    context.out << render_traffic_yaml(report);
    break;
  default:
    context.out << render_traffic_text(report, o.output == OutputFormat::wide) << std::flush;
    context.err << render_traffic_summary(report);
    break;
  }
  for (const std::string& error : measured.cluster_errors)
    outcome.errors.push_back(Error{ExitStatus::cluster_error, error});
  if (!report.comparison.failed_pods.empty())
    outcome.errors.push_back(
        Error{ExitStatus::cluster_error,
              std::to_string(report.comparison.failed_pods.size()) + " of " +
                  std::to_string(snapshot.pods.size()) +
                  " sidecars could not be read (listed above); their counters are missing"});
  outcome.status = report.gate && report.rose() ? ExitStatus::check_failed : ExitStatus::ok;
  return outcome;
}

std::string selector(const TrafficCommand& command) {
  return command.options.selector;
}

} // namespace

const PluginDefinition<TrafficCommand>& traffic_plugin() {
  static const PluginDefinition<TrafficCommand> plugin{"traffic", parse_traffic, print_traffic_help,
                                                       nullptr,   run,           selector};
  return plugin;
}

} // namespace meshca
