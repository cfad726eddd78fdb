#include "meshca/commands/traffic/traffic_plugin.h"

#include "meshca/checks/traffic_clusters.h"
#include "meshca/checks/traffic_explain.h"
#include "meshca/checks/traffic_read.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/commands/traffic/traffic_output.h"
#include "meshca/kube/retry.h"
#include "meshca/mesh/meshca_bundle_source.h"

#include <memory>

namespace meshca {
namespace {

std::string ago(std::chrono::system_clock::time_point then,
                std::chrono::system_clock::time_point now) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - then).count();
  return std::to_string(seconds) + "s";
}

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
  MESHCA_TRY_ASSIGN(auto clusters,
                    open_traffic_clusters(kubectl_path, command.common,
                                          {o.transport, o.exec_timeout}, context.err));
  const auto targets = stats_targets(clusters);
  const TrafficReadOptions read_options{o.namespaces, o.selector, o.parallel};
  MESHCA_TRY_ASSIGN(auto read, read_traffic(targets, read_options, &context.cancel));
  if (o.window) {
    context.err << "Read " << read.snapshot.pods.size() << " sidecars; reading again in "
                << o.window->count() << "s...\n";
    before = std::move(read.snapshot);
    sleep_unless_cancelled(*o.window, &context.cancel);
    if (context.cancel.load())
      return cluster_error("interrupted before the second read; nothing was compared");
    MESHCA_TRY_ASSIGN(auto again, read_traffic(targets, read_options, &context.cancel));
    read = std::move(again);
  }
  TrafficReport report;
  report.taken = read.snapshot.taken;
  report.gate = before.has_value();
  report.comparison = compare_traffic(read.snapshot, before ? &*before : nullptr);
  if (o.window)
    report.window = std::to_string(o.window->count()) + "s (two reads)";
  else if (before)
    report.window = "since " + *o.since + " (taken " + format_utc(before->taken) + ", " +
                    ago(before->taken, read.snapshot.taken) + " before this read)";
  explain_failing_pairs(report.comparison, explain_targets(clusters), read.pods, recognizer,
                        &context.cancel);

  RunOutcome outcome;
  if (o.save) {
    if (auto saved = save_snapshot(read.snapshot, *o.save); !saved)
      outcome.errors.push_back(saved.error());
    else
      context.err << "Saved the counters of " << read.snapshot.pods.size() << " sidecars to "
                  << *o.save << "\n";
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
  for (const std::string& error : read.cluster_errors)
    outcome.errors.push_back(Error{ExitStatus::cluster_error, error});
  if (!report.comparison.failed_pods.empty())
    outcome.errors.push_back(
        Error{ExitStatus::cluster_error,
              std::to_string(report.comparison.failed_pods.size()) + " of " +
                  std::to_string(read.snapshot.pods.size()) +
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
