#pragma once
// prune-revision's command line. Pure; tested as an argv table.

#include "meshca/cli/common_options.h"
#include "meshca/cli/traffic_gate_flags.h"
#include "meshca/kube/dry_run.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace meshca {

struct PruneRevisionOptions {
  std::string revision; // OLD
  bool assume_yes = false;
  bool force = false; // --force: delete although a Service would lose its last endpoints
  DryRun dry_run = DryRun::none;
};

struct PruneRevisionCommand {
  CommonOptions common;
  PruneRevisionOptions options;
  TrafficGateOptions traffic; // --verify-traffic [--window D]
};

// Exactly one revision name, a DNS-1123 label (bad_input otherwise).
Result<PruneRevisionCommand> parse_prune_revision(const std::vector<std::string>& args);

void print_prune_revision_help(std::ostream& out);

// prune-revision's own flags (not the common ones), for listing (shell completion); the values
// are bound to a private sink: never parse with it.
boost::program_options::options_description prune_revision_flags();

// True for a DNS-1123 label: 1-63 of [a-z0-9-], starting and ending alphanumeric.
bool is_revision_name(const std::string& name);

} // namespace meshca
