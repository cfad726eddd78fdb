#pragma once
// kubectl meshca relabel: move namespaces to a revision (or back), one merge patch each, after
// validating every namespace and refusing unsafe targets. Reads through the KubectlRunner,
// writes only `kubectl patch namespace` calls (none for a client dry run or a refusal).

#include "meshca/checks/preflight_gate.h"
#include "meshca/checks/trust_gate.h"
#include "meshca/commands/relabel/relabel_plan.h"
#include "meshca/kube/dry_run.h"
#include "meshca/kube/kubectl.h"
#include "meshca/util/output_format.h"

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct RelabelOptions {
  std::vector<std::string> namespaces; // named, after reading `-` from stdin
  bool all = false;                    // --all: every namespace with injection now
  std::optional<std::string> selector; // -l
  RelabelTarget target;
  DryRun dry_run = DryRun::none;
  Force force = Force::no;
  OutputFormat output = OutputFormat::text;
  std::size_t parallel = 8; // namespaces read and patched at once
  // The trust gate (every sidecar of every --context must still authenticate every other after
  // the move); empty: not checked. --force turns its refusal into warnings.
  std::function<Result<TrustGateVerdict>(const std::string& revision)> trust_gate;
  // The preflight of the round a move to `revision` starts (checks/preflight_gate.h); empty: not
  // checked. --force turns its refusal into a warning.
  std::function<Result<PreflightGateVerdict>(const std::string& revision,
                                             const std::vector<std::string>& namespaces)>
      preflight;
};

enum class RelabelOutcome { relabeled, unchanged, failed };

struct RelabelResult {
  NamespaceChange change;
  RelabelOutcome outcome = RelabelOutcome::unchanged;
};

struct RelabelReport {
  RelabelTarget target;
  DryRun dry_run = DryRun::none;
  std::vector<RelabelResult> namespaces; // sorted by name; empty when refused or bad input
  std::vector<std::string> warnings;     // every warning, as printed
  std::vector<Error> errors;             // each printed as its own error line
  ExitStatus status = ExitStatus::ok;
};

// Runs relabel. The steps, each only when the one before succeeded:
// 1. list namespaces (and the -l matches): unknown names are bad_input (exit 2);
// 2. read the control plane (with --force only for the gates) and plan: refusals are
//    check_failed (exit 1); then, for every namespace that changes revision, the preflight of
//    the round the move starts and the trust gate (refused: check_failed, or cluster_error when
//    the cluster or its sidecars could not be read);
// 3. read each changing namespace's Deployments and istio-ca-root-cert, print the warnings to
//    `diagnostics` (they are also in the report);
// 4. patch each changing namespace (not for a client dry run; with --dry-run=server each patch
//    carries it). A failed patch is a cluster_error (exit 3); the other namespaces still go on.
RelabelReport run_relabel(KubectlRunner& kubectl, const RelabelOptions& options,
                          std::ostream& diagnostics);

// The kubectl arguments that apply one change.
std::vector<std::string> relabel_patch_args(const NamespaceChange& change, DryRun dry_run);

} // namespace meshca
