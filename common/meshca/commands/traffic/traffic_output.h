#pragma once
// traffic's output: the pair table, the failing pairs explained, the proxies that cannot reach
// istiod, where the TLS counters are missing; or the same as a TrafficReport document.

#include "meshca/checks/traffic_pairs.h"

#include <chrono>
#include <string>

namespace meshca {

struct TrafficReport {
  TrafficComparison comparison;
  std::chrono::system_clock::time_point taken;
  std::string window; // "" (since each proxy started), "60s", or "since before.json (...)"
  bool gate = false;  // a window was given: a rise fails

  // A failure in the window: a failing pair, a proxy that failed to reach istiod, or one that
  // rejected inbound handshakes.
  bool rose() const;
};

std::string render_traffic_text(const TrafficReport& report, bool wide);
std::string render_traffic_json(const TrafficReport& report);
std::string render_traffic_yaml(const TrafficReport& report);
// The last line on stderr in text mode: what was read and the verdict.
std::string render_traffic_summary(const TrafficReport& report);

// How to make a proxy emit Envoy's TLS counters (docs/traffic.md).
extern const char* const kTlsCountersHint;

} // namespace meshca
