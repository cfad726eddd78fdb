#pragma once
// How Envoy names one stat: the full dotted name `/stats` prints and the filter and stats matcher
// see, and the tag-extracted name plus tags `/stats/prometheus` prints. Istio's standard metrics
// live in the custom namespace `istiocustom` (no `envoy_` prefix in Prometheus) and their full
// name is the name followed by every tag name and value, dot-joined (Envoy tag_utility.cc).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sim::mesh {

using StatTags = std::vector<std::pair<std::string, std::string>>;

struct StatKey {
  std::string name;      // full name: istiocustom.istio_requests_total.reporter.source...
  std::string prom_name; // istio_requests_total, envoy_cluster_ssl_handshake, ...
  StatTags tags;         // Prometheus labels, in the order the stat was created with
};

// An Istio standard metric (istio_requests_total, ...).
StatKey istio_metric(std::string_view metric, StatTags tags);
// cluster.<cluster>.<stat>, e.g. cluster.outbound|9080||s.ns.svc.cluster.local.ssl.handshake.
StatKey cluster_stat(const std::string& cluster, std::string_view stat);
// listener.<address>.<stat>, e.g. listener.0.0.0.0_15006.ssl.handshake.
StatKey listener_stat(const std::string& address, std::string_view stat);
// An Envoy stat without extracted tags (server.live, cluster_manager.active_clusters).
StatKey envoy_stat(std::string_view name);

} // namespace sim::mesh
