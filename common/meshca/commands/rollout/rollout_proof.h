#pragma once
// rollout's proof, pure: after the restarts, does every running sidecar pod of a namespace carry
// the revision the namespace is labelled with? What did not move is grouped by its owning
// controller, with the reason and the action that moves it.

#include "meshca/commands/rollout/rollout_plan.h"

#include <optional>
#include <rapidjson/document.h>
#include <set>
#include <string>
#include <vector>

namespace meshca {

enum class RolloutState {
  planned,     // a dry run: would be restarted
  restarted,   // restarted, not waited for (--no-wait)
  complete,    // restarted and its rollout finished
  timed_out,   // restarted; the rollout did not finish within --timeout
  failed,      // the restart or the wait failed (message says why)
  not_started, // interrupted before its turn
  skipped,     // paused or OnDelete: not restarted (see PlannedWorkload::action)
};

struct WorkloadRollout {
  PlannedWorkload planned;
  RolloutState state = RolloutState::planned;
  std::string message; // kubectl's error for timed_out and failed
};

struct StalePod {
  std::string name;
  std::string revision; // the revision it carries; "" when it runs no sidecar
};

struct NotMoved {
  std::string ns;
  std::string owner_kind; // "Pod" for a bare pod, "Job", "Deployment", "StatefulSet", ...
  std::string owner_name;
  std::string reason;        // "bare pod", "Job pod", "paused Deployment", "rollout timed out", ...
  std::string want_revision; // what the namespace is labelled for
  std::vector<StalePod> pods;
  std::string action; // what moves it, with the command
};

enum class ProofMode {
  after_rollout, // the restarts are done: a stale pod did not move
  prediction,    // dry run or --no-wait: pods of workloads being restarted are expected to move
};

struct ProofInput {
  std::string ns;
  std::string want_revision;
  std::vector<WorkloadRollout> rollouts; // of this namespace (or these gateways)
  ProofMode mode = ProofMode::after_rollout;
  // Count running pods without a sidecar (that did not opt out) as not moved: true for an
  // injected namespace, false for gateways.
  bool check_uninjected = true;
  // Only pods of these Deployments (the gateways of one revision in istio-system).
  std::optional<std::set<std::string>> only_deployments;
  // The command the actions tell to rerun; "" means `kubectl meshca rollout NS`.
  std::string rerun_command;
};

struct ProofResult {
  std::size_t moved = 0;     // running sidecar pods on want_revision
  std::size_t will_move = 0; // prediction: pods of workloads being restarted
  std::size_t opted_out = 0; // running pods without a sidecar that opted out or use hostNetwork
  std::vector<NotMoved> not_moved; // sorted by owner kind and name
};

// Checks a PodList (`kubectl get pods -n NS -o json`). Pods that are not Running, or are being
// deleted, are not looked at. A pod's revision is pod_revision() (as check-root reads it); its
// owner is its controller, a ReplicaSet standing for its Deployment.
ProofResult prove_moved(const rapidjson::Value& pods, const ProofInput& input);

struct PodOwner {
  std::string kind; // "" for a bare pod
  std::string name;
};

// Running and not being deleted: the pods a proof (and the restart decision) looks at.
bool pod_running(const rapidjson::Value& pod);

// The pod said no to injection (label or annotation), or runs in the host network, which Istio
// never injects.
bool pod_opted_out(const rapidjson::Value& pod);

// The controller that owns a pod: its controller ownerReference (else the first), with a
// Deployment's ReplicaSet (NAME-<pod-template-hash>) mapped to the Deployment.
PodOwner pod_owner(const rapidjson::Value& pod);

} // namespace meshca
