#include "meshca/checks/traffic_clusters.h"

#include "meshca/checks/traffic_read.h"

namespace meshca {
namespace {

// The reads of agent_then_envoy(), tried in turn.
class AgentThenEnvoyStats final : public DumpFetcher {
 public:
  explicit AgentThenEnvoyStats(StatsReaders readers) : readers_(std::move(readers)) {}

  Result<std::string> fetch(const SidecarPod& pod) override {
    auto merged = readers_.agent->fetch(pod);
    if (merged && has_envoy(*merged))
      return merged;
    if (merged) {
      auto whole = readers_.agent_unfiltered->fetch(pod);
      return whole ? std::move(whole) : std::move(merged);
    }
    auto envoy = readers_.envoy->fetch(pod);
    return envoy ? std::move(envoy) : std::move(merged);
  }

 private:
  // Envoy always has server.live, and the filter asks for it.
  static bool has_envoy(const std::string& text) {
    return text.find("envoy_server_live") != std::string::npos;
  }
  StatsReaders readers_;
};

} // namespace

Result<std::vector<TrafficCluster>> open_traffic_clusters(const std::string& kubectl_path,
                                                          const CommonOptions& common,
                                                          const TrafficClusterSettings& settings,
                                                          std::ostream& notes) {
  const auto verbose = common.verbose ? Verbose::yes : Verbose::no;
  std::vector<TrafficCluster> clusters;
  for (const ConnectionFlags& flags : common.connections()) {
    TrafficCluster cluster;
    cluster.context = flags.context.value_or("");
    cluster.kubectl = std::make_unique<Kubectl>(kubectl_path, flags, verbose, notes);
    ReaderSettings reader;
    reader.transport = settings.transport;
    reader.proxy.kubectl = kubectl_path;
    reader.proxy.flags = flags;
    reader.proxy.verbose = verbose;
    reader.proxy.echo = &notes;
    reader.request = traffic_stats_request();
    reader.timeout = settings.timeout;
    MESHCA_TRY_ASSIGN(auto readers, open_cluster_readers(reader, notes));
    cluster.readers = std::move(readers);
    cluster.stats =
        agent_then_envoy({admin_fetcher(cluster.readers, *cluster.kubectl, traffic_stats_request(),
                                        settings.timeout),
                          admin_fetcher(cluster.readers, *cluster.kubectl,
                                        traffic_unfiltered_stats_request(), settings.timeout),
                          admin_fetcher(cluster.readers, *cluster.kubectl,
                                        traffic_envoy_stats_request(), settings.timeout)});
    const ClusterReaders& opened = cluster.readers;
    KubectlRunner& kubectl = *cluster.kubectl;
    const auto timeout = settings.timeout;
    cluster.dumps = sidecar_dump_fetcher(WantClusters::yes, [&](AdminRequest request) {
      return admin_fetcher(opened, kubectl, std::move(request), timeout);
    });
    clusters.push_back(std::move(cluster));
  }
  return clusters;
}

std::unique_ptr<DumpFetcher> agent_then_envoy(StatsReaders readers) {
  return std::make_unique<AgentThenEnvoyStats>(std::move(readers));
}

std::vector<ClusterTarget> stats_targets(const std::vector<TrafficCluster>& clusters) {
  std::vector<ClusterTarget> targets;
  for (const TrafficCluster& c : clusters)
    targets.push_back({c.context, c.kubectl.get(), c.readers.lister.get(), c.stats.get()});
  return targets;
}

std::vector<ExplainTarget> explain_targets(const std::vector<TrafficCluster>& clusters) {
  std::vector<ExplainTarget> targets;
  for (const TrafficCluster& c : clusters)
    targets.push_back({c.context, c.kubectl.get(), c.readers.lister.get(), c.dumps.get()});
  return targets;
}

} // namespace meshca
