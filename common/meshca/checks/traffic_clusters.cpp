#include "meshca/checks/traffic_clusters.h"

#include "meshca/checks/traffic_read.h"

namespace meshca {
namespace {

// Reads pilot-agent's merged endpoint; when that fails (an agent that does not serve it, or
// refuses the port), Envoy's admin endpoint, which lacks only the agent's istiod counters. The
// first error is the one reported when both fail.
class AgentThenEnvoyStats final : public DumpFetcher {
 public:
  AgentThenEnvoyStats(std::unique_ptr<DumpFetcher> agent, std::unique_ptr<DumpFetcher> envoy)
      : agent_(std::move(agent)), envoy_(std::move(envoy)) {}

  Result<std::string> fetch(const SidecarPod& pod) override {
    auto merged = agent_->fetch(pod);
    if (merged)
      return merged;
    auto envoy = envoy_->fetch(pod);
    return envoy ? std::move(envoy) : std::move(merged);
  }

 private:
  std::unique_ptr<DumpFetcher> agent_;
  std::unique_ptr<DumpFetcher> envoy_;
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
        admin_fetcher(cluster.readers, *cluster.kubectl, traffic_stats_request(), settings.timeout);
    cluster.dumps = admin_fetcher(cluster.readers, *cluster.kubectl,
                                  AdminRequest::config_dump(WantClusters::yes), settings.timeout);
    clusters.push_back(std::move(cluster));
  }
  return clusters;
}

std::unique_ptr<DumpFetcher> agent_then_envoy(std::unique_ptr<DumpFetcher> agent,
                                              std::unique_ptr<DumpFetcher> envoy) {
  return std::make_unique<AgentThenEnvoyStats>(std::move(agent), std::move(envoy));
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
