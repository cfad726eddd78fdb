#pragma once
// kubectl meshca rollout: restart the workloads of namespaces (as kubectl rollout restart), wait
// for them (as kubectl rollout status), then prove every running sidecar pod carries the revision
// its namespace is labelled with, and say what did not move and how to move it.

#include "meshca/checks/trust_gate.h"
#include "meshca/commands/rollout/rollout_proof.h"
#include "meshca/kube/dry_run.h"
#include "meshca/kube/kubectl.h"
#include "meshca/mesh/namespace_labels.h"
#include "meshca/util/force.h"
#include "meshca/util/output_format.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace meshca {

struct RolloutOptions {
  std::vector<std::string> namespaces; // in the order given, each once
  WorkloadKinds kinds{WorkloadKind::deployment, WorkloadKind::statefulset, WorkloadKind::daemonset};
  std::chrono::seconds timeout{300}; // per workload's rollout status
  bool wait = true;                  // false: --no-wait
  bool gateways = false;             // also the istio-system gateways of the namespaces' revisions
  DryRun dry_run = DryRun::none;
  OutputFormat output = OutputFormat::text;
  std::size_t parallel = 4; // workloads restarted and waited for at once
  bool restart_all = false; // --restart-all: also workloads already on the revision
  Force force = Force::no;  // --force: the trust gate's refusal becomes warnings
  // The trust gate for scopes whose pods would move; empty: not checked.
  std::function<Result<TrustGateVerdict>(const std::string& revision)> trust_gate;
};

// One namespace, or the gateways of one revision (ns "istio-system").
struct RolloutScope {
  std::string ns;
  LabelMap labels; // the namespace's injection labels (empty for gateways)
  std::string revision;
  bool gateways = false;
  std::vector<WorkloadRollout> workloads;
  ProofResult proof;
};

struct RolloutReport {
  DryRun dry_run = DryRun::none;
  bool wait = true;
  ProofMode mode = ProofMode::after_rollout;
  std::vector<RolloutScope> scopes;  // namespaces in the order given, then gateways
  std::vector<std::string> notes;    // printed on stderr ("no gateway of revision X")
  std::vector<std::string> warnings; // --force overrides, printed on stderr
  std::vector<Error> errors;         // each printed as its own error line
  ExitStatus status = ExitStatus::ok;
  bool interrupted = false; // Ctrl-C: the restarts stopped and no pod was checked

  std::size_t not_moved_count() const; // NotMoved groups over every scope
};

// Runs rollout. Nothing is restarted until every namespace is known (else bad_input, exit 2) and
// is served by a control plane (else check_failed, exit 1), every workload and pod list was
// read, and the trust gate passed for every scope whose pods would move (else check_failed, or
// cluster_error when sidecars could not be read). Only workloads with a pod not yet on the
// revision are restarted (see decide_restarts) unless restart_all.
// Restarts run `parallel` at a time with a progress line on a terminal; `cancel` (Ctrl-C) stops
// new ones from starting. A failed restart or wait is a cluster_error (exit 3) and the rest go
// on. After Ctrl-C the waits in flight stop (their workloads are reported restarted, not waited
// for), nothing more starts, no pod is checked, and an error says what was left. Exit 1 when
// anything did not move (after waiting), or with --no-wait when some pod will
// not move by the restarts; a dry run predicts and exits 0.
RolloutReport run_rollout(KubectlRunner& kubectl, const RolloutOptions& options,
                          const std::atomic<bool>* cancel = nullptr);

} // namespace meshca
