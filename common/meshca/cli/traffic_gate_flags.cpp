#include "meshca/cli/traffic_gate_flags.h"

#include "meshca/cli/duration.h"

#include <boost/program_options.hpp>

namespace meshca {
namespace po = boost::program_options;

void add_traffic_gate_flags(po::options_description& flags, TrafficGateFlags& bound) {
  flags.add_options()("verify-traffic", po::bool_switch(&bound.verify),
                      "Read every sidecar's connection counters before the step and --window "
                      "after it; exit 1 if failures rose (as kubectl meshca traffic --since)")(
      "window", po::value(&bound.window)->value_name("DURATION"),
      "With --verify-traffic: how long to count after the step (default 60s)");
}

Result<TrafficGateOptions> parse_traffic_gate_flags(const TrafficGateFlags& flags) {
  TrafficGateOptions options;
  options.enabled = flags.verify;
  if (flags.window.empty())
    return options;
  if (!flags.verify)
    return bad_input("--window \"" + flags.window +
                     "\" only counts with --verify-traffic; add it, or drop --window");
  MESHCA_TRY_ASSIGN(auto window, parse_duration_flag(flags.window, "--window"));
  if (window > std::chrono::hours(1))
    return bad_input("--window \"" + flags.window +
                     "\": at most 1h; for longer, save a snapshot with kubectl meshca traffic "
                     "--save and compare later with --since");
  options.window = window;
  return options;
}

} // namespace meshca
