#pragma once
// The arithmetic of Kubernetes workload controllers, pure: template hashes, intOrString
// surge/unavailable values, a Deployment's rolling-update step, condition timestamps.

#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace sim::mesh {

// A hash of a pod template in Kubernetes' safe alphabet ("5b7bcb9b6d" style, 10 characters),
// stable for equal templates: the pod-template-hash / controller-revision-hash value.
std::string template_hash(const rapidjson::Value& pod_template);

// Five random characters of the same alphabet: the suffix of generated pod names.
std::string random_suffix5();

// maxSurge/maxUnavailable: an int, or "N%" of `total` (surge rounds up, unavailable down).
// A missing value takes `fallback` ("25%").
int int_or_percent(const rapidjson::Value* value, int total, bool round_up,
                   const char* fallback = "25%");

// One rolling-update step of a Deployment, given the current spec replicas of the new and the
// old ReplicaSets (old ones oldest first) and their Ready pod counts.
struct RollingInput {
  int desired = 1;
  int max_surge = 1;
  int max_unavailable = 0;
  int new_replicas = 0;
  int new_ready = 0;
  std::vector<int> old_replicas;
  std::vector<int> old_ready;
  bool recreate = false; // strategy Recreate: old to zero before the new one scales up
};
struct RollingOutput {
  int new_replicas = 0;
  std::vector<int> old_replicas;
};
RollingOutput rolling_step(const RollingInput& in);

// Replaces `status.conditions` timestamps (lastTransitionTime, lastUpdateTime) of `fresh` with
// those of the same condition in `old` when type, status, reason and message are unchanged, and
// with `now` otherwise, so that re-writing an unchanged status is a no-op.
void carry_condition_times(rapidjson::Value& fresh, const rapidjson::Value* old,
                           const std::string& now, rapidjson::Document::AllocatorType& alloc);

} // namespace sim::mesh
