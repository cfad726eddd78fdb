#include "meshca/composite/migrate/migrate_cli.h"

#include "meshca/cli/duration.h"
#include "meshca/cli/help_printer.h"
#include "meshca/cli/traffic_gate_flags.h"
#include "meshca/composite/migrate/migrate_step_ids.h"
#include "meshca/kube/dry_run.h"

#include <algorithm>
#include <boost/program_options.hpp>

namespace meshca {
namespace po = boost::program_options;
namespace {

constexpr const char* kName = "migrate";
constexpr CommonFlagSet kFlags{
    .namespaces = false, .output = true, .output_formats = "text, json, yaml"};

struct RawFlags {
  std::string to = "meshca";
  bool yes = false;
  std::string dry_run = "none";
  std::string until;
  std::string backup_dir;
  std::string meshca_bundle;
  std::string transport = "auto";
  std::string timeout = "300s";
  TrafficGateFlags traffic;
};

po::options_description specific_flags(RawFlags& f) {
  po::options_description d;
  d.add_options()("to", po::value(&f.to)->value_name("meshca"),
                  "Where the migration goes (meshca, the only one)")(
      "yes,y", po::bool_switch(&f.yes),
      "apply: do not ask before the destructive steps (prune, secret cleanup)")(
      "dry-run", po::value(&f.dry_run)->implicit_value("client")->value_name("MODE"),
      "apply: none, or client (print the step each cluster would run next, send nothing); a "
      "bare --dry-run is client")(
      "until", po::value(&f.until)->value_name("STEP"),
      "apply: run no step after STEP (e.g. verify-round1; migrate plan lists them)")(
      "backup-dir", po::value(&f.backup_dir)->value_name("DIR"),
      "apply: where cleanup-secrets backs up each cluster's CA secrets (DIR/CONTEXT, 0700)")(
      "timeout", po::value(&f.timeout)->value_name("DURATION"),
      "apply: how long to wait for each workload's rollout (default 300s)")(
      "meshca-bundle", po::value(&f.meshca_bundle)->value_name("FILE|URL"),
      "Mesh CA SPIFFE trust bundle or PEM roots (default: the public bundle, cached a day)")(
      "transport", po::value(&f.transport)->value_name("auto|proxy|exec"),
      "How sidecars are read: proxy, exec, or auto (default: proxy, else exec)");
  add_traffic_gate_flags(d, f.traffic);
  return d;
}

} // namespace

Result<MigrateCommand> parse_migrate(const std::vector<std::string>& args) {
  RawFlags f;
  const po::options_description specific = specific_flags(f);
  MESHCA_TRY_ASSIGN(auto parsed,
                    parse_command_line(kName, args, specific, {"ACTION", 0, 1}, kFlags));
  MigrateCommand command;
  command.common = parsed.common;
  if (command.common.help || command.common.version)
    return command;
  const std::string action = parsed.positional.empty() ? "" : parsed.positional.front();
  if (action == "plan")
    command.action = MigrateAction::plan;
  else if (action == "apply")
    command.action = MigrateAction::apply;
  else if (action == "status")
    command.action = MigrateAction::status;
  else if (action == "rollback")
    command.action = MigrateAction::rollback;
  else
    return bad_input(
        (action.empty() ? std::string("no action given") : "unknown action \"" + action + "\"") +
        ": expected plan, apply, status or rollback (kubectl meshca migrate plan shows the "
        "steps). See 'kubectl meshca migrate --help' for usage.");
  if (f.to != "meshca")
    return bad_input("--to \"" + f.to + "\": the only migration is to meshca");
  MESHCA_TRY_ASSIGN(auto output, parse_output_format(
                                     command.common.output,
                                     {OutputFormat::text, OutputFormat::json, OutputFormat::yaml}));
  command.output = output;
  const bool applies =
      command.action == MigrateAction::apply || command.action == MigrateAction::rollback;
  if (!applies) {
    for (const char* flag :
         {"yes", "dry-run", "until", "backup-dir", "timeout", "verify-traffic", "window"})
      if (parsed.given(flag))
        return bad_input("--" + std::string(flag) +
                         " is for migrate apply and rollback; plan and status only read");
  } else if (command.output != OutputFormat::text) {
    return bad_input("-o " + command.common.output + ": migrate " + action +
                     " prints text; use migrate plan -o json for the steps");
  }
  if (command.action == MigrateAction::rollback)
    for (const char* flag : {"until", "backup-dir"})
      if (parsed.given(flag))
        return bad_input("--" + std::string(flag) +
                         " is for migrate apply; a rollback runs every step of the round's "
                         "rollback and deletes no secret");
  command.apply.rollback = command.action == MigrateAction::rollback;
  MESHCA_TRY_ASSIGN(auto traffic, parse_traffic_gate_flags(f.traffic));
  if (traffic.enabled && f.dry_run != "none")
    return bad_input("--verify-traffic watches real restarts; a --dry-run restarts nothing, so "
                     "there is nothing to watch: drop one of them");
  command.apply.traffic = traffic;
  ApplyOptions& apply = command.apply;
  apply.assume_yes = f.yes;
  MESHCA_TRY_ASSIGN(auto dry_run, parse_dry_run(f.dry_run));
  if (dry_run == DryRun::server)
    return bad_input("--dry-run=server: migrate decides each step on what the cluster shows after "
                     "the one before, which a server dry run never changes; use --dry-run "
                     "(client) to see the next step of each cluster");
  apply.dry_run = dry_run == DryRun::client;
  if (!f.until.empty()) {
    const auto& ids = migration_step_ids();
    if (std::find(ids.begin(), ids.end(), f.until) == ids.end()) {
      std::string known;
      for (const std::string& id : ids)
        known += (known.empty() ? "" : ", ") + id;
      return bad_input("--until \"" + f.until + "\": not a step; the steps are " + known);
    }
    apply.until = f.until;
  }
  if (!f.backup_dir.empty())
    apply.backup_dir = f.backup_dir;
  MESHCA_TRY_ASSIGN(auto timeout, parse_duration_flag(f.timeout, "--timeout"));
  apply.timeout = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  if (apply.timeout.count() < 1)
    return bad_input("--timeout \"" + f.timeout + "\": at least 1s");
  if (!f.meshca_bundle.empty())
    command.meshca_bundle = f.meshca_bundle;
  MESHCA_TRY_ASSIGN(auto transport, parse_transport(f.transport));
  command.transport = transport;
  return command;
}

po::options_description migrate_flags() {
  static RawFlags sink; // never read
  return specific_flags(sink);
}

void print_migrate_help(std::ostream& out) {
  RawFlags f;
  const HelpText help{
      "kubectl meshca migrate plan|apply|status|rollback [--context A --context B ...] "
      "[--until STEP] [--yes] [--dry-run] [--backup-dir DIR] [--verify-traffic [--window D]] "
      "[-o text|json|yaml]",
      "The guide as one gated, resumable plan in every cluster of the mesh (each --context;\n"
      "the current one when none is given): round 1 (install the root-distributing revision,\n"
      "move namespaces, workloads, gateways and tags onto it, prove every sidecar trusts both\n"
      "roots, prune the old revision), round 2 (the same onto the Mesh CA revision, proving\n"
      "every certificate is Mesh CA-issued), then the cleanup (back up and delete the CA\n"
      "secrets, restart, prove no sidecar trusts the Citadel root).\n\n"
      "plan    reads every cluster (status, preflight, every sidecar) and prints the steps,\n"
      "        each done, next, blocked (a gate that does not hold, with the evidence),\n"
      "        waiting (for another cluster) or pending, with its gate and its command.\n"
      "apply   runs the next steps it can (relabel, rollout, gateways, tags, prune, cleanup),\n"
      "        each with the refusals of the command that does it by hand, re-reading every\n"
      "        cluster after each; stops at an install (printing the asmcli line) or a gate\n"
      "        that does not hold. No cluster moves pods to Mesh CA certificates until every\n"
      "        cluster's sidecars trust the Mesh CA root, and none retires the Citadel CA\n"
      "        until no sidecar anywhere holds a Citadel-issued certificate.\n"
      "status  the ledger each cluster keeps (ConfigMap kubectl-meshca-migration in\n"
      "        istio-system): the steps done, when, by whom, with which evidence.\n"
      "rollback  the guide's rollback of the round in progress, in each cluster: tags back,\n"
      "        namespaces back to the labels they had (relabel --undo), workloads and\n"
      "        gateways restarted onto the old revision, the gate that the old trust holds,\n"
      "        the new revision pruned. A round-1 rollback waits while a sidecar anywhere\n"
      "        holds a Mesh CA certificate.\n\n"
      "A run holds each ledger's lease while it works; a second run is refused until it ends.\n\n"
      "Exit status: 0 done or stopped at a step that is yours (an install), 1 a gate does not\n"
      "hold or a step was refused, 2 bad usage, 3 a cluster could not be read or changed.",
      "kubectl meshca migrate plan --context east --context west\n"
      "kubectl meshca migrate apply --context east --context west --until verify-round1\n"
      "kubectl meshca migrate apply --context east --context west --backup-dir ./ca-backup --yes\n"
      "kubectl meshca migrate status --context east --context west -o yaml\n"
      "kubectl meshca migrate rollback --context east --context west --dry-run"};
  print_command_help(out, help, specific_flags(f), kFlags);
}

} // namespace meshca
