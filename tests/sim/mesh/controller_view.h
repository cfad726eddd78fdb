#pragma once
// What the controllers read of one namespace per pass (workloads parsed once, pods reduced to
// the facts controllers need), and the pod status shapes they write.

#include "mesh/controllers.h"
#include "mesh/label_selector.h"

#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace sim::mesh {

struct Controllers::Owned {
  std::string kind, api_version, name, uid;
  std::string owner_uid; // the controlling ownerReference's uid, "" if none
  std::string created;   // creationTimestamp (RFC 3339 sorts as text)
  rapidjson::Document doc;
};

struct Controllers::PodInfo {
  std::string name, uid, owner_uid, created, node;
  LabelMap labels;
  bool ready = false;
};

struct Controllers::View {
  std::string ns;
  std::vector<Owned> deployments, replicasets, statefulsets, daemonsets, jobs;
  std::vector<PodInfo> pods;

  std::vector<const PodInfo*> pods_of(const std::string& owner_uid) const;
  static int ready_count(const std::vector<const PodInfo*>& pods);
};

Controllers::View load_view(const Store& store, const std::string& ns);
Controllers::Owned parse_owned(const std::string& json);

bool pod_is_ready(const rapidjson::Value& pod);
// status of a pod just created (scheduled, containers not started).
rapidjson::Value pending_status(rapidjson::Document::AllocatorType& alloc);
// status of a running pod: phase Running, IPs, container statuses (init containers terminated,
// a native sidecar running), Ready per `ready`.
rapidjson::Value running_status(const rapidjson::Value& pod, const std::string& ip, bool ready,
                                rapidjson::Document::AllocatorType& alloc);
// status of a pod whose volumes cannot mount, so kubelet starts none of its containers: phase
// Pending, not Ready, every container waiting with kubelet's default reason (ContainerCreating,
// or PodInitializing when the pod has init containers: `kubectl get` then shows Init:0/N).
rapidjson::Value unmounted_status(const rapidjson::Value& pod,
                                  rapidjson::Document::AllocatorType& alloc);

// The pod's configMap volumes that must exist to mount (not `optional`): (volume, ConfigMap).
std::vector<std::pair<std::string, std::string>> required_config_maps(const rapidjson::Value& pod);

// spec.replicas (default 1).
int spec_replicas(const rapidjson::Value& object);
long long generation_of(const rapidjson::Value& object);

} // namespace sim::mesh
