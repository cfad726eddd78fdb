#pragma once
// The migration phase a cluster's state adds up to, and the next command to run (DESIGN.md,
// status). Pure.
//
// Revisions are ordered oldest to newest by (issuer: CITADEL or unknown before MESHCA; a plain
// revision before one configured to hand out extra roots; istiod's creation time; name). With every
// labelled namespace and its sidecars on one revision T: older installed revisions are pruned
// first, then newer ones are moved to (round 1 when the next one issues Citadel certificates, round
// 2 when it issues Mesh CA ones), and with T alone left, a Mesh CA revision with the CA secrets
// still present is ready for cleanup-secrets.
//
// The trust gate holds throughout: no advice moves a namespace to a revision issuing Mesh CA
// certificates while any sidecar or gateway trusts only Citadel (round 1 is advised instead:
// the root-distributing revision, or installing one); a mesh already running sidecars that
// cannot authenticate each other is `mtls-broken`, named first with the repair; and
// ready-for-cleanup waits until no installed revision runs Istio's own CA.
//
// Phases: no-control-plane, not-started, ready-to-relabel, relabelling, rollout-pending,
// mtls-broken, old-revision-installed, ready-for-cleanup, complete.

#include "meshca/checks/status_model.h"

#include <string>
#include <vector>

namespace meshca {

// Sets status.phase, round, summary and next.
void decide_phase(MeshStatus& status);

// The installed revisions (with an istiod), oldest first.
std::vector<const RevisionStatus*> installed_in_order(const MeshStatus& status);

} // namespace meshca
