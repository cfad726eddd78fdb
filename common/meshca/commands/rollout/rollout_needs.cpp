#include "meshca/commands/rollout/rollout_needs.h"

#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/json.h"

#include <map>
#include <utility>

namespace meshca {
namespace {

struct PodCounts {
  std::size_t on_revision = 0;
  std::size_t opted_out = 0;
  std::size_t to_move = 0;
};

} // namespace

RestartDecision decide_restarts(std::vector<WorkloadRollout>& rollouts,
                                const rapidjson::Value& pods, const std::string& want_revision,
                                bool check_uninjected, bool restart_all) {
  std::map<std::pair<std::string, std::string>, PodCounts> by_owner; // (kind, name)
  const rapidjson::Value* items = pods.IsObject() ? json::array_member(pods, "items") : nullptr;
  if (items != nullptr) {
    for (const auto& pod : items->GetArray()) {
      if (!pod_running(pod))
        continue;
      const PodOwner owner = pod_owner(pod);
      if (owner.kind.empty())
        continue; // a bare pod: no workload to restart (the proof names it)
      PodCounts& counts = by_owner[{owner.kind, owner.name}];
      if (has_istio_proxy(pod)) {
        if (pod_revision(pod) == want_revision)
          ++counts.on_revision;
        else
          ++counts.to_move;
      } else if (!check_uninjected || pod_opted_out(pod)) {
        ++counts.opted_out;
      } else {
        ++counts.to_move;
      }
    }
  }
  RestartDecision decision;
  for (WorkloadRollout& rollout : rollouts) {
    if (rollout.planned.action != WorkloadAction::restart)
      continue;
    const Workload& w = rollout.planned.workload;
    const auto it = by_owner.find({std::string(kind_name(w.kind)), w.name});
    const PodCounts counts = it == by_owner.end() ? PodCounts{} : it->second;
    decision.pods_to_move += counts.to_move;
    if (restart_all || counts.to_move > 0)
      continue;
    rollout.planned.action = counts.opted_out > 0 && counts.on_revision == 0
                                 ? WorkloadAction::skip_opted_out
                                 : WorkloadAction::skip_already_on;
  }
  return decision;
}

} // namespace meshca
