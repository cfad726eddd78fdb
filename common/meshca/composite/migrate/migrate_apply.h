#pragma once
// migrate apply: runs, cluster by cluster, the next step the plan says can run (relabel,
// rollout, gateways, tags, prune, the secret cleanup, the final restart), each through the
// library of the command that does it by hand, with that command's own refusals; re-reads every
// cluster after each step (so each gate is decided on what the sidecars hold then); records each
// step with its gate's evidence in the cluster's ledger; stops at an install (printing the
// command), at a gate that does not hold (printing the evidence), or when every cluster waits.

#include "meshca/cli/confirm.h"
#include "meshca/cli/traffic_gate_flags.h"
#include "meshca/composite/migrate/migrate_session.h"
#include "meshca/kube/dry_run.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace meshca {

struct ApplyOptions {
  bool assume_yes = false;               // --yes: destructive steps (prune, cleanup) do not ask
  bool dry_run = false;                  // --dry-run: print what would run next, change nothing
  std::optional<std::string> until;      // --until STEP: run no step after it
  std::optional<std::string> backup_dir; // --backup-dir: each cluster's CA secrets go in DIR/CTX
  std::chrono::seconds timeout{300};     // per workload rollout
  std::chrono::seconds lease{600};       // how long the ledger's lease lasts without renewal
  bool rollback = false; // migrate rollback: the rollback of the round in progress instead
  // --verify-traffic: every restart (rollouts, gateways) is watched as rollout --verify-traffic
  // watches it, in every cluster; failures that rose stop the run like a failing gate.
  TrafficGateOptions traffic;
};

struct ApplyEnvironment {
  MigrationSession& session;
  std::ostream& out; // what each step did, the final plan
  std::ostream& err; // diagnostics
  const std::atomic<bool>* cancel = nullptr;
  std::function<Result<Confirmed>(std::string_view question)> confirm;
  std::string holder; // the lease holder: "user@host pid N"
};

struct ApplyReport {
  int steps_run = 0;
  std::vector<std::string> stops; // one line per cluster that stopped: where and why
  ExitStatus status = ExitStatus::ok;
  std::vector<Error> errors;
};

ApplyReport run_migrate_apply(const ApplyOptions& options, ApplyEnvironment& env);

// The ledger's disagreements with the cluster: steps the ledger records as done that the
// cluster shows not done (the cluster wins), and steps done outside migrate.
std::vector<std::string> ledger_disagreements(const ClusterPlan& plan, const Ledger& ledger);

} // namespace meshca
