#pragma once
// From per-pod counters to per-workload pairs: (source workload → destination service), with
// what happened in the window between two snapshots, or since each pod started when there is
// no earlier snapshot.
//
// Deltas are taken per pod and summed per workload, because pods come and go between snapshots:
// a pod absent from the earlier snapshot started in the window (all its counts are new), and a
// counter that went down belongs to a restarted proxy whose counters began again at zero (its
// value now is the delta; never a negative one).

#include "meshca/checks/traffic_snapshot.h"

#include <string>
#include <vector>

namespace meshca {

struct TrafficPair {
  std::string context;
  std::string source_namespace;
  std::string source_workload;
  std::string destination;              // the service's FQDN
  OutboundCounters counts;              // in the window
  std::vector<std::string> source_pods; // the pods that reported the pair (namespace/name)
  std::string explanation; // why it fails, from the certificates (set by explain_failing_pairs)

  double failures() const;
  // "sleep.frontend"
  std::string source() const { return source_workload + "." + source_namespace; }
};

// A pod's counts of the connections it accepted and of its agent, in the window.
struct PodHealth {
  std::string context;
  std::string ns;
  std::string pod;
  std::string workload;
  TlsCounters inbound;
  double istiod_failures = 0;
  bool tls_counters = false;
  bool agent_metrics = false;
};

struct TrafficComparison {
  bool windowed = false; // false: counts since each pod started (no earlier snapshot)
  double window_seconds = 0;
  std::vector<TrafficPair> pairs;       // sorted: failing first, then by source and destination
  std::vector<PodHealth> pods;          // every pod read now, sorted by context, namespace, name
  std::vector<std::string> failed_pods; // read errors now, each naming its pod
  std::size_t restarted = 0;            // pods whose counters went down (a restarted proxy)
  std::size_t new_pods = 0;             // pods not in the earlier snapshot

  std::size_t failing_pairs() const;
  // Pods whose proxy could not reach or verify istiod in the window.
  std::size_t istiod_failing_pods() const;
  // Pods that rejected inbound TLS handshakes in the window.
  std::size_t inbound_failing_pods() const;
  // Pods without Envoy's TLS counters (their stats matcher leaves them out).
  std::size_t pods_without_tls_counters() const;
  // Pods whose answer had no pilot-agent metrics (read from Envoy's admin port instead).
  std::size_t pods_without_agent_metrics() const;
  // Any of the three failures above: what a window gate fails on.
  bool failures_rose() const {
    return failing_pairs() > 0 || istiod_failing_pods() > 0 || inbound_failing_pods() > 0;
  }
};

// `before` null: every count since the pod started.
TrafficComparison compare_traffic(const TrafficSnapshot& now, const TrafficSnapshot* before);

} // namespace meshca
