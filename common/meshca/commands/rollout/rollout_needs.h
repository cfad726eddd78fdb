#pragma once
// Which workloads a rollout restarts (DESIGN.md, rollout: "restarts only what has not moved"):
// a workload is restarted only when at least one of its running pods should carry a sidecar of
// the revision and does not (no sidecar where injection applies, or another revision's). Pure:
// it reads the namespace's PodList from before the restarts.

#include "meshca/commands/rollout/rollout_proof.h"

#include <cstddef>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

struct RestartDecision {
  std::size_t pods_to_move = 0; // running pods of restartable workloads not yet on the revision
};

// Marks every workload planned for a restart whose running pods all carry `want_revision` as
// skip_already_on (also when it has no running pod), and one whose pods all opt out of injection
// as skip_opted_out. `check_uninjected` as in ProofInput (false for gateways). With
// `restart_all` the actions are kept; the count is still made (it decides the trust gate).
RestartDecision decide_restarts(std::vector<WorkloadRollout>& rollouts,
                                const rapidjson::Value& pods, const std::string& want_revision,
                                bool check_uninjected, bool restart_all);

} // namespace meshca
