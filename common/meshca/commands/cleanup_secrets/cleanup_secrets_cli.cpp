#include "meshca/commands/cleanup_secrets/cleanup_secrets_cli.h"

#include "meshca/cli/help_printer.h"

#include <boost/program_options.hpp>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace meshca {
namespace po = boost::program_options;
namespace {

constexpr const char* kName = "cleanup-secrets";

struct RawFlags {
  std::string backup_dir;
  std::string restore;
  bool yes = false;
  std::string dry_run = "none";
  bool force = false;
  bool no_restart = false;
  std::string meshca_bundle;
  std::string timeout = "5m";
  TrafficGateFlags traffic;
};

po::options_description specific_flags(RawFlags& f) {
  po::options_description d;
  d.add_options()(
      "backup-dir", po::value(&f.backup_dir)->value_name("DIR"),
      "Save the secrets here first (created 0700, files 0600; an existing backup is never "
      "overwritten)")(
      "restore", po::value(&f.restore)->value_name("DIR"),
      "Re-create the secrets from a backup folder and restart istiod (the rollback)")(
      "yes,y", po::bool_switch(&f.yes),
      "Do not ask for confirmation (required without a terminal)")(
      "dry-run", po::value(&f.dry_run)->implicit_value("client")->value_name("MODE"),
      "Only print what would be backed up, deleted and restarted: client (the default), server "
      "(the API server validates each change), none")(
      "force", po::bool_switch(&f.force),
      "Delete even though some sidecar does not yet trust Mesh CA or hold a Mesh CA certificate")(
      "no-restart", po::bool_switch(&f.no_restart), "Do not restart the istiod Deployments")(
      "meshca-bundle", po::value(&f.meshca_bundle)->value_name("FILE|URL"),
      "Mesh CA SPIFFE trust bundle or PEM roots for the sidecar check (as check-root)")(
      "timeout", po::value(&f.timeout)->value_name("DURATION"),
      "How long to wait for each istiod rollout (default 5m)");
  add_traffic_gate_flags(d, f.traffic);
  return d;
}

} // namespace

Status check_backup_dir_usable(const std::string& dir) {
  const std::string name = "--backup-dir " + dir + ": ";
  struct stat info {};
  if (::stat(dir.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode))
      return bad_input(name + "exists and is not a folder; name a new folder (it is created 0700)");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      return bad_input(name + "cannot write to this folder: " + std::strerror(errno) +
                       "; name a folder you can write to");
    if ((info.st_mode & 0077) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 0777));
      return bad_input(name + "the folder has mode " + mode +
                       ", so others can list it, and it "
                       "would hold CA private keys; chmod 700 " +
                       dir +
                       ", or name a new folder "
                       "(it is created 0700); nothing was changed");
    }
    return done();
  }
  if (errno != ENOENT)
    return bad_input(name + "cannot use it: " + std::strerror(errno) + "; name a new folder");
  // The nearest existing ancestor is where the folders would be created.
  std::filesystem::path parent = std::filesystem::path(dir).parent_path();
  while (true) {
    if (parent.empty())
      parent = ".";
    if (::stat(parent.c_str(), &info) == 0)
      break;
    if (errno != ENOENT || parent == ".")
      return bad_input(name + "cannot create it: " + parent.string() + ": " + std::strerror(errno));
    parent = parent.parent_path();
  }
  const std::string where = parent.string();
  if (!S_ISDIR(info.st_mode))
    return bad_input(name + "cannot create it: " + where + " is not a folder; name a new folder");
  if (::access(where.c_str(), W_OK | X_OK) != 0)
    return bad_input(name + "cannot create it: cannot write to " + where + ": " +
                     std::strerror(errno) + "; name a folder you can write to");
  return done();
}

Result<std::chrono::seconds> parse_wait_duration(const std::string& text, const char* flag) {
  long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  const std::string unit(ptr, end);
  const std::string problem = std::string(flag) + " \"" + text + "\": ";
  if (ec != std::errc() || value <= 0)
    return bad_input(problem + "expected a positive duration like 90s, 5m or 1h");
  long unit_seconds = 0;
  if (unit.empty() || unit == "s")
    unit_seconds = 1;
  else if (unit == "m")
    unit_seconds = 60;
  else if (unit == "h")
    unit_seconds = 3600;
  else
    return bad_input(problem + "unknown unit \"" + unit + "\"; use s, m or h");
  // Bounded so that neither this product nor a later conversion to milliseconds overflows.
  constexpr long kMaxSeconds = 100L * 365 * 86400;
  if (value > kMaxSeconds / unit_seconds)
    return bad_input(problem + "too long; at most 876000h");
  return std::chrono::seconds(value * unit_seconds);
}

Result<CleanupSecretsCommand> parse_cleanup_secrets(const std::vector<std::string>& args) {
  RawFlags f;
  const po::options_description specific = specific_flags(f);
  MESHCA_TRY_ASSIGN(auto parsed, parse_command_line(kName, args, specific, {"ARG", 0, 0},
                                                    {.namespaces = false, .output = false}));
  CleanupSecretsCommand command;
  command.common = parsed.common;
  if (command.common.help || command.common.version)
    return command;
  CleanupSecretsOptions& o = command.options;
  const bool backup = parsed.given("backup-dir");
  const bool restore = parsed.given("restore");
  if (backup == restore)
    return bad_input(backup ? "--backup-dir and --restore contradict each other; give one"
                            : "--backup-dir DIR is required (the secrets are saved there before "
                              "they are deleted); or --restore DIR to roll back");
  o.mode = restore ? CleanupMode::restore : CleanupMode::cleanup;
  o.dir = restore ? f.restore : f.backup_dir;
  if (o.dir.empty())
    return bad_input(std::string(restore ? "--restore" : "--backup-dir") +
                     ": the folder name is empty");
  if (restore && (f.force || parsed.given("meshca-bundle")))
    return bad_input("--force and --meshca-bundle apply to the cleanup, not to --restore");
  auto dry_run = parse_dry_run(f.dry_run);
  if (!dry_run)
    return dry_run.error();
  o.dry_run = *dry_run;
  o.assume_yes = f.yes;
  o.force = f.force;
  o.no_restart = f.no_restart;
  if (!f.meshca_bundle.empty())
    o.meshca_bundle = f.meshca_bundle;
  auto timeout = parse_wait_duration(f.timeout, "--timeout");
  if (!timeout)
    return timeout.error();
  o.timeout = *timeout;
  MESHCA_TRY_ASSIGN(auto traffic, parse_traffic_gate_flags(f.traffic));
  if (traffic.enabled && o.dry_run != DryRun::none)
    return bad_input("--verify-traffic watches a real change; a --dry-run changes nothing, so "
                     "drop one of them");
  command.traffic = traffic;
  return command;
}

po::options_description cleanup_secrets_flags() {
  static RawFlags sink; // never read
  return specific_flags(sink);
}

void print_cleanup_secrets_help(std::ostream& out) {
  RawFlags f;
  const HelpText help{
      "kubectl meshca cleanup-secrets --backup-dir DIR [--yes] [--dry-run] [--force] "
      "[--no-restart]\n  kubectl meshca cleanup-secrets --restore DIR [--dry-run] [--no-restart]",
      "The last step of the migration to Mesh CA: drops the in-cluster Citadel CA. First checks\n"
      "(as check-root --workload-cert) that every sidecar trusts MESHCA and holds a Mesh "
      "CA-issued\n"
      "certificate, and refuses otherwise. Then saves the secrets cacerts and istio-ca-secret "
      "from\n"
      "istio-system (whichever exist) into DIR as YAML that re-creates them, flushed to disk, "
      "read\n"
      "back and compared; only then deletes them and restarts the istiod Deployments, which stops\n"
      "the Citadel root from being handed to sidecars. Re-running finishes an interrupted run.\n"
      "--restore DIR puts the secrets back from such a backup and restarts istiod.\n\n"
      "Exit status: 0 done (or nothing to do), 1 refused (a sidecar still needs Citadel, or not\n"
      "confirmed), 2 bad usage or an unusable backup folder, 3 the cluster could not be read or\n"
      "written.",
      "# What would happen\n"
      "kubectl meshca cleanup-secrets --backup-dir ./ca-backup --dry-run\n\n"
      "# Back up, delete and restart istiod, without a prompt\n"
      "kubectl meshca cleanup-secrets --backup-dir ./ca-backup --yes\n\n"
      "# Roll back\n"
      "kubectl meshca cleanup-secrets --restore ./ca-backup"};
  print_command_help(out, help, specific_flags(f), {.namespaces = false, .output = false});
}

} // namespace meshca
