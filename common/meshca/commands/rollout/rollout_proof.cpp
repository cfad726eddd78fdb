#include "meshca/commands/rollout/rollout_proof.h"

#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/json.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

namespace meshca {
namespace {

std::string text_at(const rapidjson::Value* object, std::string_view key) {
  if (object == nullptr || !object->IsObject())
    return {};
  return std::string(json::string_member(*object, key).value_or(""));
}

const rapidjson::Value* metadata_of(const rapidjson::Value& pod) {
  return json::object_member(pod, "metadata");
}

const rapidjson::Value* map_at(const rapidjson::Value& pod, const char* key) {
  const rapidjson::Value* metadata = metadata_of(pod);
  return metadata ? json::object_member(*metadata, key) : nullptr;
}

const WorkloadRollout* find_rollout(const ProofInput& input, const PodOwner& owner) {
  for (const WorkloadRollout& rollout : input.rollouts)
    if (kind_name(rollout.planned.workload.kind) == owner.kind &&
        rollout.planned.workload.name == owner.name)
      return &rollout;
  return nullptr;
}

struct Verdict {
  std::string reason;
  std::string action;
  bool lists_pods = false; // the action ends with the stale pods' names (OnDelete: delete them)
};

std::string rerun(const ProofInput& input) {
  return input.rerun_command.empty() ? "kubectl meshca rollout " + input.ns : input.rerun_command;
}

std::string pod_names(const std::vector<StalePod>& pods) {
  std::string names;
  for (const StalePod& pod : pods)
    names += " " + pod.name;
  return names;
}

// Why a restarted (or skipped) workload's pod is stale, and what moves it.
Verdict workload_verdict(const ProofInput& input, const WorkloadRollout& rollout, bool sidecar) {
  const Workload& w = rollout.planned.workload;
  const std::string where = " -n " + w.ns;
  if (rollout.planned.action == WorkloadAction::skip_paused)
    return {"paused Deployment (not restarted)", "resume it first: kubectl rollout resume " +
                                                     w.ref() + where + ", then rerun " +
                                                     rerun(input)};
  if (rollout.planned.action == WorkloadAction::skip_already_on ||
      rollout.planned.action == WorkloadAction::skip_opted_out)
    return {"not restarted (its pods looked settled before the run)",
            "rerun " + rerun(input) + " --restart-all"};
  if (rollout.planned.action == WorkloadAction::skip_on_delete)
    return {"OnDelete " + std::string(kind_name(w.kind)) + " (not restarted)",
            "delete its pods so they are recreated: kubectl delete pod" + where, true};
  switch (rollout.state) {
  case RolloutState::timed_out:
    return {"rollout timed out", "see kubectl rollout status " + w.ref() + where + " and rerun " +
                                     rerun(input) + " once it can complete"};
  case RolloutState::failed:
    return {"restart failed", "see the error above, then rerun " + rerun(input)};
  case RolloutState::not_started:
    return {"not restarted (interrupted)", "rerun " + rerun(input)};
  default:
    break;
  }
  if (sidecar)
    return {"still on an old revision after its rollout",
            "check the injector of revision " + input.want_revision +
                ": kubectl get mutatingwebhookconfigurations -l istio.io/rev=" +
                input.want_revision + ", then rerun " + rerun(input)};
  return {"no sidecar after its rollout",
          "check the pod template's sidecar.istio.io/inject and the injector: kubectl get "
          "mutatingwebhookconfigurations -l app=sidecar-injector"};
}

// The verdict for a stale pod, or nullopt in a prediction when its workload is being restarted.
std::optional<Verdict> verdict_for(const ProofInput& input, const PodOwner& owner,
                                   const std::string& pod_name, bool sidecar) {
  if (owner.kind.empty())
    return Verdict{"bare pod", "recreate it: kubectl delete pod " + pod_name + " -n " + input.ns +
                                   ", then create it again from its manifest"};
  if (owner.kind == "Job")
    return Verdict{"Job pod",
                   "wait for job/" + owner.name +
                       " to finish (pods it starts later get the new revision) or skip it"};
  const bool restartable =
      owner.kind == "Deployment" || owner.kind == "StatefulSet" || owner.kind == "DaemonSet";
  const WorkloadRollout* rollout = find_rollout(input, owner);
  if (rollout == nullptr && restartable) {
    std::string kind = owner.kind;
    std::transform(kind.begin(), kind.end(), kind.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return Verdict{"not restarted (--kinds)", "rerun with --kinds including " + kind};
  }
  if (rollout == nullptr)
    return Verdict{"owned by " + owner.kind + "/" + owner.name + ", which rollout does not restart",
                   "restart or recreate " + owner.kind + "/" + owner.name + " -n " + input.ns};
  if (input.mode == ProofMode::prediction && rollout->planned.action == WorkloadAction::restart &&
      rollout->state != RolloutState::failed)
    return std::nullopt;
  return workload_verdict(input, *rollout, sidecar);
}

std::string owner_kind_for_report(const PodOwner& owner) {
  return owner.kind.empty() ? "Pod" : owner.kind;
}

} // namespace

bool pod_running(const rapidjson::Value& pod) {
  const rapidjson::Value* metadata = metadata_of(pod);
  if (metadata != nullptr && metadata->HasMember("deletionTimestamp"))
    return false;
  return text_at(json::object_member(pod, "status"), "phase") == "Running";
}

bool pod_opted_out(const rapidjson::Value& pod) {
  if (text_at(map_at(pod, "labels"), "sidecar.istio.io/inject") == "false" ||
      text_at(map_at(pod, "annotations"), "sidecar.istio.io/inject") == "false")
    return true;
  const rapidjson::Value* spec = json::object_member(pod, "spec");
  if (spec == nullptr)
    return false;
  auto host = spec->FindMember("hostNetwork");
  return host != spec->MemberEnd() && host->value.IsBool() && host->value.GetBool();
}

PodOwner pod_owner(const rapidjson::Value& pod) {
  const rapidjson::Value* metadata = metadata_of(pod);
  const rapidjson::Value* refs =
      metadata ? json::array_member(*metadata, "ownerReferences") : nullptr;
  if (refs == nullptr || refs->Empty())
    return {};
  const rapidjson::Value* chosen = &(*refs)[0];
  for (const auto& ref : refs->GetArray()) {
    auto controller = ref.FindMember("controller");
    if (controller != ref.MemberEnd() && controller->value.IsBool() &&
        controller->value.GetBool()) {
      chosen = &ref;
      break;
    }
  }
  PodOwner owner{text_at(chosen, "kind"), text_at(chosen, "name")};
  const std::string hash = text_at(map_at(pod, "labels"), "pod-template-hash");
  const std::string suffix = "-" + hash;
  if (owner.kind == "ReplicaSet" && !hash.empty() && owner.name.size() > suffix.size() &&
      owner.name.ends_with(suffix))
    owner = {"Deployment", owner.name.substr(0, owner.name.size() - suffix.size())};
  return owner;
}

ProofResult prove_moved(const rapidjson::Value& pods, const ProofInput& input) {
  ProofResult result;
  const rapidjson::Value* items = pods.IsObject() ? json::array_member(pods, "items") : nullptr;
  if (items == nullptr)
    return result;
  using Key = std::tuple<std::string, std::string, std::string>; // owner kind, name, reason
  std::map<Key, NotMoved> groups;
  std::set<Key> listing_pods;
  for (const auto& pod : items->GetArray()) {
    if (!pod_running(pod))
      continue;
    const PodOwner owner = pod_owner(pod);
    if (input.only_deployments &&
        (owner.kind != "Deployment" || input.only_deployments->count(owner.name) == 0))
      continue;
    const bool sidecar = has_istio_proxy(pod);
    const std::string revision = sidecar ? pod_revision(pod) : std::string();
    if (sidecar && revision == input.want_revision) {
      ++result.moved;
      continue;
    }
    if (!sidecar && (!input.check_uninjected || pod_opted_out(pod))) {
      ++result.opted_out;
      continue;
    }
    const std::string name = text_at(metadata_of(pod), "name");
    auto verdict = verdict_for(input, owner, name, sidecar);
    if (!verdict) {
      ++result.will_move;
      continue;
    }
    const std::string kind = owner_kind_for_report(owner);
    const std::string owner_name = owner.kind.empty() ? name : owner.name;
    const Key key{kind, owner_name, verdict->reason};
    NotMoved& group = groups[key];
    if (group.pods.empty())
      group = {input.ns, kind,           owner_name, verdict->reason, input.want_revision,
               {},       verdict->action};
    if (verdict->lists_pods)
      listing_pods.insert(key);
    group.pods.push_back({name, revision});
  }
  // A rollout that did not finish is reported even when none of its pods is stale: its new
  // pods may not be ready.
  for (const WorkloadRollout& rollout : input.rollouts) {
    if (rollout.state != RolloutState::timed_out && rollout.state != RolloutState::failed)
      continue;
    const Workload& w = rollout.planned.workload;
    const Verdict verdict = workload_verdict(input, rollout, true);
    const std::string kind(kind_name(w.kind));
    bool listed = false;
    for (const auto& [key, group] : groups)
      listed = listed || (std::get<0>(key) == kind && std::get<1>(key) == w.name);
    if (!listed)
      groups[{kind, w.name, verdict.reason}] = {
          input.ns, kind, w.name, verdict.reason, input.want_revision, {}, verdict.action};
  }
  for (auto& [key, group] : groups) {
    if (listing_pods.count(key) > 0)
      group.action += pod_names(group.pods);
    result.not_moved.push_back(std::move(group));
  }
  return result;
}

} // namespace meshca
