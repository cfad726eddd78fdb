#include "meshca/commands/traffic/traffic_plugin.h"

#include "meshca/checks/traffic_explain.h"
#include "meshca/checks/traffic_read.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/commands/traffic/traffic_output.h"
#include "meshca/kube/retry.h"
#include "meshca/mesh/meshca_bundle_source.h"

#include <memory>

namespace meshca {
namespace {

// One cluster's ways in: kubectl, its transport, a stats reader and a config dump reader.
struct Cluster {
  std::string context;
  std::unique_ptr<Kubectl> kubectl;
  ClusterReaders readers;
  std::unique_ptr<DumpFetcher> stats;
  std::unique_ptr<DumpFetcher> dumps;
};

Result<std::vector<Cluster>> open_clusters(const TrafficCommand& command, PluginContext& context) {
  const TrafficOptions& o = command.options;
  MESHCA_TRY_ASSIGN(auto kubectl_path, prepare_kubectl(command.common));
  const auto verbose = command.common.verbose ? Verbose::yes : Verbose::no;
  std::vector<Cluster> clusters;
  for (const ConnectionFlags& flags : command.common.connections()) {
    Cluster cluster;
    cluster.context = flags.context.value_or("");
    cluster.kubectl = std::make_unique<Kubectl>(kubectl_path, flags, verbose);
    ReaderSettings settings;
    settings.transport = o.transport;
    settings.proxy.kubectl = kubectl_path;
    settings.proxy.flags = flags;
    settings.proxy.verbose = verbose;
    settings.proxy.echo = &context.err;
    settings.request = traffic_stats_request();
    settings.timeout = o.exec_timeout;
    MESHCA_TRY_ASSIGN(auto readers, open_cluster_readers(settings, context.err));
    cluster.readers = std::move(readers);
    cluster.stats =
        admin_fetcher(cluster.readers, *cluster.kubectl, traffic_stats_request(), o.exec_timeout);
    cluster.dumps = admin_fetcher(cluster.readers, *cluster.kubectl,
                                  AdminRequest::config_dump(WantClusters::yes), o.exec_timeout);
    clusters.push_back(std::move(cluster));
  }
  return clusters;
}

std::vector<ClusterTarget> targets_of(const std::vector<Cluster>& clusters) {
  std::vector<ClusterTarget> targets;
  for (const Cluster& c : clusters)
    targets.push_back({c.context, c.kubectl.get(), c.readers.lister.get(), c.stats.get()});
  return targets;
}

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
  MESHCA_TRY_ASSIGN(auto recognizer,
                    load_meshca_recognizer({o.meshca_bundle, default_cache_dir()}));
  MESHCA_TRY_ASSIGN(auto clusters, open_clusters(command, context));
  const auto targets = targets_of(clusters);
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
  std::vector<ExplainTarget> explain_targets;
  for (const Cluster& c : clusters)
    explain_targets.push_back({c.context, c.kubectl.get(), c.readers.lister.get(), c.dumps.get()});
  explain_failing_pairs(report.comparison, explain_targets, read.pods, recognizer, &context.cancel);

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
              std::to_string(report.comparison.failed_pods.size()) +
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
