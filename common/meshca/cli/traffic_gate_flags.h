#pragma once
// --verify-traffic [--window DURATION], shared by the commands that change the mesh (rollout,
// cleanup-secrets, prune-revision): read every sidecar's counters before the step and a window
// after it, and fail when connection failures rose (checks/traffic_gate.h).

#include "meshca/util/result.h"

#include <boost/program_options/options_description.hpp>
#include <chrono>
#include <string>

namespace meshca {

struct TrafficGateOptions {
  bool enabled = false;            // --verify-traffic
  std::chrono::seconds window{60}; // --window: how long after the step to keep counting
};

struct TrafficGateFlags {
  bool verify = false;
  std::string window;
};

void add_traffic_gate_flags(boost::program_options::options_description& flags,
                            TrafficGateFlags& bound);

// bad_input for a bad --window, or --window without --verify-traffic.
Result<TrafficGateOptions> parse_traffic_gate_flags(const TrafficGateFlags& flags);

} // namespace meshca
