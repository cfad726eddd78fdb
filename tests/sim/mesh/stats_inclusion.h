#pragma once
// Which Envoy stats a sidecar creates: the stats_matcher inclusion list Istio renders into the
// bootstrap (istio/istio pkg/bootstrap/config.go getStatsOptions, envoy_bootstrap.json). The
// required patterns are always there; a pod adds its own with the annotations
// sidecar.istio.io/statsInclusion{Prefixes,Suffixes,Regexps} (comma-separated) or, for a kind
// the annotation does not set, proxy.istio.io/config's proxyStatsMatcher (the annotation wins,
// no merge). Envoy evaluates the patterns on the full stat name when the stat is created;
// safe_regex is a full match.

#include <map>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace sim::mesh {

class StatsInclusion {
 public:
  StatsInclusion(); // Istio's default: the required patterns only
  explicit StatsInclusion(const std::map<std::string, std::string>& pod_annotations);

  bool includes(std::string_view full_name) const;

 private:
  std::vector<std::string> prefixes_, suffixes_;
  std::vector<std::shared_ptr<const std::regex>> regexps_; // shared: pods copy them
};

} // namespace sim::mesh
