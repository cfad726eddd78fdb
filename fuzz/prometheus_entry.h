#pragma once
// Fuzz entry for a sidecar's stats answer (mesh/prometheus_text.h, mesh/proxy_traffic.h): the
// Prometheus text pilot-agent's merged endpoint sends, read sample by sample and into counters.

#include "fuzz_check.h"
#include "meshca/mesh/prometheus_text.h"
#include "meshca/mesh/proxy_traffic.h"

#include <algorithm>
#include <string_view>

namespace meshca::fuzz {

inline Outcome prometheus_input(std::string_view data) {
  const std::size_t lines =
      static_cast<std::size_t>(std::count(data.begin(), data.end(), '\n')) + 1;
  std::size_t samples = 0;
  const std::size_t bad = prometheus::for_each_sample(data, [&](const prometheus::Sample& s) {
    ++samples;
    require(!s.name.empty(), "prometheus: a sample has a name");
    require(data.find(s.name) != std::string_view::npos, "prometheus: the name is from the input");
    for (const auto& [key, value] : s.labels)
      require(!key.empty() && value.size() <= data.size(), "prometheus: labels are bounded");
  });
  require(samples + bad <= lines, "prometheus: at most one sample per line");
  const ProxyTraffic traffic = read_proxy_traffic(data);
  require(traffic.samples == samples && traffic.unreadable_lines == bad,
          "prometheus: the traffic reader sees the same samples");
  for (const auto& [service, counters] : traffic.outbound)
    require(!service.empty(), "prometheus: outbound pairs name their service");
  return samples > 0 ? Outcome::value : Outcome::error;
}

} // namespace meshca::fuzz
