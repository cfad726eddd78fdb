#include "meshca/checks/status_model.h"

#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/json.h"

#include <algorithm>
#include <set>

namespace meshca {
namespace {

using rapidjson::Value;

bool is_own_gateway(const SidecarPod& pod, const ControlPlane& plane) {
  if (pod.owner_kind != "ReplicaSet")
    return false;
  for (const ControlPlaneRevision& revision : plane.revisions)
    for (const DeploymentRef& gateway : revision.gateways)
      if (gateway.ns == pod.ns && pod.owner_name.starts_with(gateway.name + "-"))
        return true;
  return false;
}

} // namespace

const RevisionStatus* MeshStatus::find(const std::string& name) const {
  for (const RevisionStatus& revision : revisions)
    if (revision.name == name)
      return &revision;
  return nullptr;
}

MeshStatus build_status(const StatusInputs& in) {
  MeshStatus status;
  status.ca_secrets = in.ca_secrets;
  const ControlPlane plane = parse_control_plane(in.deployments, in.webhooks);
  const std::map<std::string, RevisionCa> cas =
      parse_revision_cas(plane, {in.deployments, in.operators, in.config_maps});
  for (const ControlPlaneRevision& source : plane.revisions) {
    RevisionStatus revision;
    revision.name = source.name;
    revision.istiod = source.istiod;
    revision.gateways = source.gateways;
    if (auto ca = cas.find(source.name); ca != cas.end()) {
      revision.ca = ca->second;
      revision.issuer = ca->second.issuer ? std::string(to_string(*ca->second.issuer)) : "";
      revision.issuer_source = ca->second.issuer_source;
      revision.created = ca->second.created;
    }
    status.revisions.push_back(std::move(revision));
  }
  for (const InjectorWebhook& webhook : plane.webhooks) {
    if (!webhook.tag.empty())
      status.tags.push_back({webhook.tag, webhook.revision, webhook.name});
    for (RevisionStatus& revision : status.revisions) {
      if (revision.name != webhook.revision)
        continue;
      revision.webhooks.push_back(webhook.name);
      if (!webhook.tag.empty())
        revision.tags.push_back(webhook.tag);
    }
  }
  std::map<std::string, NamespaceStatus> by_name;
  for (NamespaceInjection& ns : resolve_namespaces(in.namespaces, plane)) {
    if (is_system_namespace(ns.name) || ns.name == "istio-system" || !ns.labelled())
      continue;
    const std::string name = ns.name;
    by_name[name].injection = std::move(ns);
  }
  for (const SidecarPod& pod : in.sidecars.sidecars) {
    if (pod.ns == "istio-system" || is_own_gateway(pod, plane))
      continue;
    NamespaceStatus& ns = by_name[pod.ns];
    ns.injection.name = pod.ns;
    ++ns.pods[pod.revision.empty() ? "default" : pod.revision];
  }
  for (auto& [name, ns] : by_name) {
    for (const std::string& problem : ns.injection.problems)
      status.warnings.push_back("namespace/" + name + ": " + problem);
    for (RevisionStatus& revision : status.revisions) {
      if (revision.name == ns.injection.target)
        ++revision.namespaces;
      if (auto it = ns.pods.find(revision.name); it != ns.pods.end())
        revision.pods += it->second;
    }
    status.namespaces.push_back(std::move(ns));
  }
  return status;
}

} // namespace meshca
