#pragma once
// The clusters a traffic read goes to: per --context a kubectl, its transport (the in-process
// proxy or kubectl exec), a reader of the sidecars' stats and one of their config dumps (for
// explaining failures).

#include "meshca/checks/check_root.h"
#include "meshca/checks/traffic_explain.h"
#include "meshca/cli/common_options.h"
#include "meshca/mesh/dump_fetcher.h"

#include <chrono>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace meshca {

struct TrafficCluster {
  std::string context;
  std::unique_ptr<Kubectl> kubectl;
  ClusterReaders readers;
  std::unique_ptr<DumpFetcher> stats;
  std::unique_ptr<DumpFetcher> dumps;
};

struct TrafficClusterSettings {
  Transport transport = Transport::automatic;
  std::chrono::milliseconds timeout{60000};
};

// One per connection of `common`; transport fallbacks are noted on `notes`.
Result<std::vector<TrafficCluster>> open_traffic_clusters(const std::string& kubectl_path,
                                                          const CommonOptions& common,
                                                          const TrafficClusterSettings& settings,
                                                          std::ostream& notes);

// The three reads of a sidecar's stats, in the order they are tried (traffic_read.h).
struct StatsReaders {
  std::unique_ptr<DumpFetcher> agent;            // traffic_stats_request()
  std::unique_ptr<DumpFetcher> agent_unfiltered; // traffic_unfiltered_stats_request()
  std::unique_ptr<DumpFetcher> envoy;            // traffic_envoy_stats_request()
};

// Reads the agent's filtered answer; one without Envoy's server.live (filtered wrongly) again
// unfiltered; when the agent fails, Envoy's admin endpoint (no agent metrics). The first error
// when every read fails.
std::unique_ptr<DumpFetcher> agent_then_envoy(StatsReaders readers);

std::vector<ClusterTarget> stats_targets(const std::vector<TrafficCluster>& clusters);
std::vector<ExplainTarget> explain_targets(const std::vector<TrafficCluster>& clusters);

} // namespace meshca
