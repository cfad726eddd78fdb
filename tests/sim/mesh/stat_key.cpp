#include "mesh/stat_key.h"

#include <cctype>

namespace sim::mesh {

namespace {
// Envoy's Prometheus names: every character outside [a-zA-Z0-9_] becomes '_'.
std::string sanitize(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      c = '_';
  return out;
}
} // namespace

StatKey istio_metric(std::string_view metric, StatTags tags) {
  StatKey key{"istiocustom." + std::string(metric), std::string(metric), std::move(tags)};
  for (const auto& [k, v] : key.tags)
    key.name += "." + k + "." + v;
  return key;
}

StatKey cluster_stat(const std::string& cluster, std::string_view stat) {
  return {"cluster." + cluster + "." + std::string(stat),
          "envoy_cluster_" + sanitize(stat),
          {{"cluster_name", cluster}}};
}

StatKey listener_stat(const std::string& address, std::string_view stat) {
  return {"listener." + address + "." + std::string(stat),
          "envoy_listener_" + sanitize(stat),
          {{"listener_address", address}}};
}

StatKey envoy_stat(std::string_view name) {
  return {std::string(name), "envoy_" + sanitize(name), {}};
}

} // namespace sim::mesh
