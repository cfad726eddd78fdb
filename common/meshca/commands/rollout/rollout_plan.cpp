#include "meshca/commands/rollout/rollout_plan.h"

#include "meshca/util/json.h"
#include "meshca/util/trim.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <tuple>

namespace meshca {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<WorkloadKind> kind_from_flag(std::string_view word) {
  const std::string w = lower(word);
  if (w == "deployment" || w == "deployments" || w == "deploy")
    return WorkloadKind::deployment;
  if (w == "statefulset" || w == "statefulsets" || w == "sts")
    return WorkloadKind::statefulset;
  if (w == "daemonset" || w == "daemonsets" || w == "ds")
    return WorkloadKind::daemonset;
  return std::nullopt;
}

std::optional<WorkloadKind> kind_from_object(std::string_view kind) {
  if (kind == "Deployment")
    return WorkloadKind::deployment;
  if (kind == "StatefulSet")
    return WorkloadKind::statefulset;
  if (kind == "DaemonSet")
    return WorkloadKind::daemonset;
  return std::nullopt;
}

bool flag_at(const rapidjson::Value* object, const char* key) {
  if (object == nullptr || !object->IsObject())
    return false;
  auto it = object->FindMember(key);
  return it != object->MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

Workload read_workload(WorkloadKind kind, const rapidjson::Value& item) {
  Workload workload;
  workload.kind = kind;
  if (const rapidjson::Value* metadata = json::object_member(item, "metadata")) {
    workload.ns = std::string(json::string_member(*metadata, "namespace").value_or(""));
    workload.name = std::string(json::string_member(*metadata, "name").value_or(""));
  }
  const rapidjson::Value* spec = json::object_member(item, "spec");
  workload.paused = kind == WorkloadKind::deployment && flag_at(spec, "paused");
  const rapidjson::Value* strategy = spec ? json::object_member(*spec, "updateStrategy") : nullptr;
  workload.on_delete = kind != WorkloadKind::deployment && strategy != nullptr &&
                       json::string_member(*strategy, "type") == "OnDelete";
  return workload;
}

} // namespace

std::string_view resource_name(WorkloadKind kind) {
  switch (kind) {
  case WorkloadKind::statefulset:
    return "statefulset";
  case WorkloadKind::daemonset:
    return "daemonset";
  case WorkloadKind::deployment:
    break;
  }
  return "deployment";
}

std::string_view kind_name(WorkloadKind kind) {
  switch (kind) {
  case WorkloadKind::statefulset:
    return "StatefulSet";
  case WorkloadKind::daemonset:
    return "DaemonSet";
  case WorkloadKind::deployment:
    break;
  }
  return "Deployment";
}

std::string Workload::ref() const {
  return object().ref();
}

ObjectRef Workload::object() const {
  return {std::string(resource_name(kind)), ns, name};
}

Result<WorkloadKinds> parse_workload_kinds(std::string_view text) {
  WorkloadKinds kinds;
  std::string_view rest = text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view word = trim_blanks(rest.substr(0, comma));
    auto kind = kind_from_flag(word);
    if (!kind)
      return bad_input("--kinds \"" + std::string(text) + "\": unknown kind \"" +
                       std::string(word) + "\"; valid: deployment, statefulset, daemonset");
    kinds.insert(*kind);
    if (comma == std::string_view::npos)
      break;
    rest = rest.substr(comma + 1);
  }
  return kinds;
}

Result<std::vector<Workload>> parse_workloads(const rapidjson::Value& list, std::string_view what) {
  const rapidjson::Value* items = list.IsObject() ? json::array_member(list, "items") : nullptr;
  if (items == nullptr)
    return cluster_error(std::string(what) + ": the answer is not a list of workloads");
  std::vector<Workload> workloads;
  for (const auto& item : items->GetArray()) {
    auto kind = kind_from_object(json::string_member(item, "kind").value_or(""));
    if (!kind) {
      // A single kind's list leaves "kind" out of its items; its own kind names them.
      const std::string_view list_kind = json::string_member(list, "kind").value_or("");
      if (list_kind.size() > 4 && list_kind.ends_with("List"))
        kind = kind_from_object(list_kind.substr(0, list_kind.size() - 4));
    }
    if (kind)
      workloads.push_back(read_workload(*kind, item));
  }
  std::sort(workloads.begin(), workloads.end(), [](const Workload& a, const Workload& b) {
    return std::tie(a.ns, a.kind, a.name) < std::tie(b.ns, b.kind, b.name);
  });
  return workloads;
}

std::vector<PlannedWorkload> plan_rollout(const std::vector<Workload>& workloads,
                                          const WorkloadKinds& kinds) {
  std::vector<PlannedWorkload> planned;
  for (const Workload& workload : workloads) {
    if (!workload.gateway && kinds.count(workload.kind) == 0)
      continue;
    WorkloadAction action = WorkloadAction::restart;
    if (workload.paused)
      action = WorkloadAction::skip_paused;
    else if (workload.on_delete)
      action = WorkloadAction::skip_on_delete;
    planned.push_back({workload, action});
  }
  return planned;
}

} // namespace meshca
