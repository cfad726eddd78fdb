#pragma once
// rollout's command line: flags into RolloutOptions. Pure (stdin is read by
// expand_stdin_namespaces); tested as an argv table.

#include "meshca/cli/common_options.h"
#include "meshca/cli/traffic_gate_flags.h"
#include "meshca/commands/rollout/rollout.h"

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

struct RolloutCommand {
  CommonOptions common;
  RolloutOptions options;
  bool names_from_stdin = false;            // `-` was given
  std::optional<std::string> meshca_bundle; // --meshca-bundle, for the trust gate
  TrafficGateOptions traffic;               // --verify-traffic [--window D]
};

// `rollout [NAMESPACE... | -] [-n NS] [--kinds deployment,statefulset,daemonset] [--timeout
// DURATION] [--no-wait] [--gateways] [--dry-run[=client|server]] [--parallel N] [-o text|json]`.
// Errors are bad_input naming the flag and the fix.
Result<RolloutCommand> parse_rollout(const std::vector<std::string>& args);

// Adds the namespaces read from `in` when `-` was given; no namespace at all is bad_input.
Status expand_stdin_namespaces(RolloutCommand& command, std::istream& in);

// A Go-style duration as kubectl takes it: "90s", "5m", "1h30m", or a bare number of seconds.
// Zero, negative, or fractions of a second are bad_input naming `flag`.
Result<std::chrono::seconds> parse_timeout(std::string_view text, std::string_view flag);

void print_rollout_help(std::ostream& out);

// rollout's own flags (not the common ones), for listing (shell completion); the values are
// bound to a private sink: never parse with it.
boost::program_options::options_description rollout_flags();

} // namespace meshca
