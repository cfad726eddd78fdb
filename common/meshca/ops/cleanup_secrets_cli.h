#pragma once
// cleanup-secrets' command line: flags into CleanupSecretsOptions. Pure; tested as an argv table.

#include "meshca/cli/common_options.h"
#include "meshca/cli/dry_run.h"

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

enum class CleanupMode { cleanup, restore };

struct CleanupSecretsOptions {
  CleanupMode mode = CleanupMode::cleanup;
  std::string dir; // --backup-dir DIR, or --restore DIR
  bool assume_yes = false;
  DryRun dry_run = DryRun::none;
  bool force = false;      // proceed although some sidecar does not rely on Mesh CA yet
  bool no_restart = false; // leave istiod running as it is
  std::optional<std::string> meshca_bundle;
  std::chrono::seconds timeout{300}; // how long to wait for each istiod rollout
};

struct CleanupSecretsCommand {
  CommonOptions common;
  CleanupSecretsOptions options;
};

// Errors are bad_input naming the flag and the fix: exactly one of --backup-dir and --restore.
Result<CleanupSecretsCommand> parse_cleanup_secrets(const std::vector<std::string>& args);

void print_cleanup_secrets_help(std::ostream& out);

// "90s", "5m", "1h" or a bare number of seconds, positive; bad_input naming `flag` otherwise.
Result<std::chrono::seconds> parse_wait_duration(const std::string& text, const char* flag);

} // namespace meshca
