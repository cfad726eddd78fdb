#pragma once
// rollout's planning, pure: the workloads of a namespace (and the gateways asked for), which of
// them are restarted, and which are left alone and why.

#include "meshca/kube/kubectl_calls.h"
#include "meshca/util/result.h"

#include <rapidjson/document.h>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

enum class WorkloadKind { deployment, statefulset, daemonset };

// "deployment", "statefulset", "daemonset": kubectl's resource names.
std::string_view resource_name(WorkloadKind kind);
// "Deployment", "StatefulSet", "DaemonSet".
std::string_view kind_name(WorkloadKind kind);

using WorkloadKinds = std::set<WorkloadKind>;

// "deployment,statefulset" (case-insensitive, plurals and kubectl's short names deploy, sts, ds
// accepted). An empty or unknown kind is bad_input listing the valid ones.
Result<WorkloadKinds> parse_workload_kinds(std::string_view text);

struct Workload {
  WorkloadKind kind = WorkloadKind::deployment;
  std::string ns;
  std::string name;
  bool paused = false;    // a Deployment with spec.paused: kubectl rollout restart refuses it
  bool on_delete = false; // updateStrategy OnDelete: a restart replaces no pod
  bool gateway = false;   // a gateway Deployment in istio-system (--gateways)

  std::string ref() const;  // "deployment/web"
  ObjectRef object() const; // as kubectl addresses it
};

// The Deployments, StatefulSets and DaemonSets of a list (`kubectl get deployments,statefulsets,
// daemonsets -o json`, a List of mixed kinds, or one kind's list), sorted by kind then name.
// Items of other kinds are ignored. A document that is not a list is cluster_error naming `what`.
Result<std::vector<Workload>> parse_workloads(const rapidjson::Value& list, std::string_view what);

enum class WorkloadAction {
  restart,         // kubectl rollout restart, then (unless --no-wait) kubectl rollout status
  skip_paused,     // paused: restarting it fails; resume it first
  skip_on_delete,  // OnDelete: a restart moves no pod; delete its pods instead
  skip_already_on, // every running pod already carries a sidecar of the revision
  skip_opted_out,  // its pods opt out of injection: no restart can give them a sidecar
};

struct PlannedWorkload {
  Workload workload;
  WorkloadAction action = WorkloadAction::restart;
};

// Every workload whose kind is in `kinds` (gateways are always Deployments and always kept), with
// what rollout does to it.
std::vector<PlannedWorkload> plan_rollout(const std::vector<Workload>& workloads,
                                          const WorkloadKinds& kinds);

} // namespace meshca
