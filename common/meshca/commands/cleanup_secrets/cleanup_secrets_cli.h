#pragma once
// cleanup-secrets' command line: flags into CleanupSecretsOptions. Pure; tested as an argv table.

#include "meshca/cli/common_options.h"
#include "meshca/cli/traffic_gate_flags.h"
#include "meshca/kube/dry_run.h"

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
  TrafficGateOptions traffic; // --verify-traffic [--window D]
};

// Errors are bad_input naming the flag and the fix: exactly one of --backup-dir and --restore.
Result<CleanupSecretsCommand> parse_cleanup_secrets(const std::vector<std::string>& args);

void print_cleanup_secrets_help(std::ostream& out);

// cleanup-secrets' own flags (not the common ones), for listing (shell completion); the values
// are bound to a private sink: never parse with it.
boost::program_options::options_description cleanup_secrets_flags();

// Whether `dir` can take a backup of CA keys, checked before anything is read or changed (dry runs
// too). An existing folder must be one, be writable and be private (no permission for group or
// others: the backup holds CA private keys); a new one needs its nearest existing parent to be a
// writable folder. bad_input naming the folder and the fix otherwise. Creates nothing.
Status check_backup_dir_usable(const std::string& dir);

// "90s", "5m", "1h" or a bare number of seconds, positive; bad_input naming `flag` otherwise.
Result<std::chrono::seconds> parse_wait_duration(const std::string& text, const char* flag);

} // namespace meshca
