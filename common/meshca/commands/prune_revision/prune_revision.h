#pragma once
// prune-revision (DESIGN.md): read what makes up an old revision and what still uses it, refuse
// while anything does, else delete it.

#include "meshca/cli/confirm.h"
#include "meshca/commands/prune_revision/prune_revision_cli.h"
#include "meshca/commands/prune_revision/prune_revision_plan.h"
#include "meshca/kube/kubectl.h"

#include <functional>
#include <iosfwd>
#include <string_view>

namespace meshca {

struct PruneEnvironment {
  KubectlRunner& kubectl;
  std::function<Result<Confirmed>(std::string_view question)> confirm;
  std::ostream& out; // one line per object deleted
  std::ostream& err; // summary
};

// Reads the cluster (control plane, namespaces, pods, the istiod objects, IstioOperators) and
// plans. cluster_error when something cannot be read.
Result<PrunePlan> read_prune_plan(KubectlRunner& kubectl, std::string_view revision);

// Plans, refuses (check_failed, nothing sent) while anything uses the revision, asks, deletes in
// plan order (NotFound counts as deleted). A dry run sends no delete (client) or only deletes with
// dryRun=All (server).
Status run_prune_revision(const PruneRevisionOptions& options, PruneEnvironment& env);

} // namespace meshca
