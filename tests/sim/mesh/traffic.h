#pragma once
// The traffic model: the scenario's edges (workload -> Service) as steady request or connection
// rates, and per pod the counters Istio's stats filter and Envoy's TLS stats would have reached.
// Rates are constant between pod and Service changes, so counters are integrated lazily: an edge
// advances its pods' counters (doubles, fractions carried) from its last update to `now` when a
// pod of it is read, or when one of its pods or its Service changes, and only then re-reads who
// takes part. Each edge is split evenly over the source workload's Running+Ready sidecar pods and
// from each of them evenly over the Service's Ready endpoints; a (client, server) pair succeeds
// or fails by the TLS verdict of their trust facts (tls_verdict.h). Also tracks istiod
// readiness per revision for the agent's connection-failure counter.
// Not thread-safe: Mesh::Impl calls it under its mutex.

#include "mesh/label_selector.h"
#include "mesh/scenario.h"
#include "mesh/stat_key.h"
#include "mesh/stats_inclusion.h"
#include "mesh/tls_verdict.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sim::mesh {

// What the model needs to know about one pod (from its object and injection facts).
struct TrafficPod {
  std::string ns, name, uid;
  std::uint64_t resource_version = 0; // drops changes observed out of order
  LabelMap labels;
  std::string workload;  // the owning workload's name (Deployment, StatefulSet, ...; else pod)
  std::string principal; // SPIFFE ID
  std::string revision;  // the istiod revision that injected it
  PeerTrust trust;
  StatsInclusion inclusion;
  bool sidecar = false;
  bool running = false;
  bool ready = false;
};

struct StatSample {
  const StatKey* key; // valid as long as the Traffic
  double value;
};

class Traffic {
 public:
  using Time = std::chrono::steady_clock::time_point;

  Traffic(std::vector<TrafficEdge> edges, Time start);

  void pod_changed(TrafficPod pod, Time now);
  void pod_deleted(const std::string& ns, const std::string& name, std::uint64_t resource_version,
                   Time now);
  // A Service's selector; nullopt when the Service is deleted.
  void service_changed(const std::string& ns, const std::string& name,
                       std::optional<LabelMap> selector, Time now);

  struct PodStats {
    std::vector<StatSample> counters;      // created (Envoy) stats the pod's inclusion keeps
    double istiod_unreachable_seconds = 0; // since the sidecar started, with no Ready istiod
  };
  // nullopt: no such pod (or no sidecar).
  std::optional<PodStats> stats(const std::string& ns, const std::string& name, Time now);

 private:
  struct Counter {
    double value = 0;
    bool included = true;            // by the pod's stats inclusion
    bool on_first_increment = false; // shown once it reaches 1 (Istio's metrics)
  };
  struct PodState {
    TrafficPod pod;
    std::map<const StatKey*, Counter> counters; // interned keys; edges point at the values
    std::string group;                          // pods with equal keys count the same
    double istiod_down_at_start = 0;
    bool started = false;
  };
  struct Edge {
    TrafficEdge spec;
    std::string cluster, service_key; // outbound|9080||FQDN, "ns/name"
    Time last;
    std::vector<std::pair<double*, double>> rates; // counter value, per second
    std::vector<const StatKey*> cluster_ssl, listener_ssl;
    // What one attempt adds to the client and to the server, per (client, server) group pair.
    std::map<std::string, std::pair<std::vector<const StatKey*>, std::vector<const StatKey*>>>
        effects;
  };
  struct Istiod {
    int ready = 0;
    double down_seconds = 0; // accumulated until `last`
    Time last;
  };

  static bool active(const TrafficPod& p) { return p.running && p.ready; }
  bool is_client(const Edge& e, const TrafficPod& p) const;
  bool is_server(const Edge& e, const TrafficPod& p) const;
  bool takes_part(const Edge& e, const TrafficPod* p) const; // in its rates now
  void advance(Edge& e, Time now);
  void rebuild(Edge& e);
  const StatKey* intern(StatKey key);
  double* counter(PodState& pod, const StatKey* key);
  Istiod& istiod(const std::string& revision);
  double istiod_down(const std::string& revision, Time now);
  void istiod_changed(const TrafficPod* before, const TrafficPod* after, Time now);
  // Advances the edges the pod takes part in before and after, applies, rebuilds them.
  void apply(const std::string& id, std::optional<TrafficPod> after, Time now);

  Time start_;
  std::vector<Edge> edges_;
  std::map<std::string, PodState> pods_;         // "ns/name"
  std::map<std::string, std::uint64_t> deleted_; // "ns/name" -> resourceVersion of the delete
  std::map<std::string, LabelMap> services_;     // "ns/name" -> selector
  std::map<std::string, Istiod> istiods_;        // revision
  // Every series once: pods' counters and edges' effects refer to them (and compare pointers).
  std::map<std::string, std::unique_ptr<const StatKey>> keys_;
};

} // namespace sim::mesh
