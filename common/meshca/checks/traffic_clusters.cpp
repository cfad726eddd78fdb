#include "meshca/checks/traffic_clusters.h"

#include "meshca/checks/traffic_read.h"

namespace meshca {

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
