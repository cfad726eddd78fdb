#pragma once
// kubectl meshca relabel: move namespaces to a revision (or back), one merge patch each, after
// validating every namespace and refusing unsafe targets. Reads through the KubectlRunner,
// writes only `kubectl patch namespace` calls (none for a client dry run or a refusal).

#include "meshca/cli/dry_run.h"
#include "meshca/kube/kubectl.h"
#include "meshca/ops/relabel_plan.h"
#include "meshca/util/output_format.h"

#include <cstddef>
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
// 2. read the control plane (skipped with --force) and plan: refusals are check_failed (exit 1);
// 3. read each changing namespace's Deployments and istio-ca-root-cert, print the warnings to
//    `diagnostics` (they are also in the report);
// 4. patch each changing namespace (not for a client dry run; with --dry-run=server each patch
//    carries it). A failed patch is a cluster_error (exit 3); the other namespaces still go on.
RelabelReport run_relabel(KubectlRunner& kubectl, const RelabelOptions& options,
                          std::ostream& diagnostics);

// The kubectl arguments that apply one change.
std::vector<std::string> relabel_patch_args(const NamespaceChange& change, DryRun dry_run);

} // namespace meshca
