#pragma once
// Reads every sidecar's counters once, through the same transport as check-root (one exec per
// pod, in parallel, through the in-process client or kubectl), into a snapshot.

#include "meshca/checks/check_root.h"
#include "meshca/checks/traffic_snapshot.h"
#include "meshca/mesh/dump_fetcher.h"

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace meshca {

// The one admin request per pod: pilot-agent's merged endpoint (port 15020) holds the agent's own
// metrics and Envoy's, and from Istio 1.24 passes `filter` on to Envoy, which then sends only
// Istio's request/connection metrics and the TLS counters. Older agents drop the filter and
// send Envoy's whole (default-trimmed) set, which reads the same. docs/traffic.md has the sources.
AdminRequest traffic_stats_request();

// The same endpoint without the filter: for an answer the filter emptied wrongly (an Envoy that
// does not decode the query).
AdminRequest traffic_unfiltered_stats_request();

// The fallback for a proxy whose agent does not serve port 15020 to `pilot-agent request`: Envoy's
// own admin endpoint with the same filter (no agent metrics then).
AdminRequest traffic_envoy_stats_request();

// The regex sent as `filter` (RE2, unanchored, matched against Envoy's dotted stat names).
std::string traffic_stats_filter();

struct TrafficReadOptions {
  std::vector<std::string> namespaces; // empty: every namespace but the system ones
  std::string selector;
  std::size_t parallel = 32;
};

struct TrafficRead {
  TrafficSnapshot snapshot;
  std::vector<std::string> cluster_errors; // contexts whose pods could not be listed
  std::vector<SidecarPod> pods;            // what was read, in snapshot order
};

// `clusters[i].fetcher` must read traffic_stats_request(). Fails only when nothing could be
// listed at all, or for bad input (an unknown namespace); per-pod failures are in the snapshot.
Result<TrafficRead> read_traffic(const std::vector<ClusterTarget>& clusters,
                                 const TrafficReadOptions& options,
                                 const std::atomic<bool>* cancel);

} // namespace meshca
