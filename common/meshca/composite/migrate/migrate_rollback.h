#pragma once
// migrate rollback: the guide's rollback of the round in progress, as steps of the same kind
// migrate apply runs. Round 2 goes back to the round-1 revision (every sidecar then holds a
// Citadel certificate again and still trusts both roots); round 1 goes back to the old Citadel
// revision (every sidecar trusts the Citadel root). In order: the tags back (an
// istio-injection=enabled namespace follows the default tag), the namespaces back to the labels
// relabel recorded before the move (relabel --undo), the workloads and the gateways restarted
// onto the old revision, the gate that the old trust holds, and the new revision pruned. Pure.

#include "meshca/composite/migrate/migrate_steps.h"

#include <string>
#include <vector>

namespace meshca {

// The rollback of the round in progress in one cluster: no steps when nothing uses a
// migration revision (nothing to roll back); one blocked step when it cannot be done (the
// revision to go back to was pruned, or the CA secrets are already gone).
ClusterPlan plan_rollback(const ClusterFacts& facts);

// Lockstep for rollbacks: no cluster moves its namespaces back to Citadel-only trust (a round-1
// rollback) while a sidecar in any cluster holds a Mesh CA certificate, which such sidecars
// would reject; the step waits, naming where those sidecars run.
void apply_rollback_lockstep(std::vector<ClusterPlan>& plans,
                             const std::vector<ClusterFacts>& facts);

// Every rollback step id, in order.
const std::vector<std::string>& rollback_step_ids();

} // namespace meshca
