#include "meshca/ops/status_model.h"

#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/json.h"

#include <algorithm>
#include <set>

namespace meshca {
namespace {

using rapidjson::Value;

std::string text(const Value& object, std::string_view key) {
  return std::string(json::string_member(object, key).value_or(""));
}

const Value* items_of(const Value& list) {
  return list.IsObject() ? json::array_member(list, "items") : nullptr;
}

const Value* path(const Value& root, std::initializer_list<std::string_view> keys) {
  const Value* at = &root;
  for (std::string_view key : keys) {
    at = json::object_member(*at, key);
    if (at == nullptr)
      return nullptr;
  }
  return at;
}

// The issuer an IstioOperator of this revision records.
void issuer_from_operators(const Value* operators, RevisionStatus& revision) {
  const Value* items = operators ? items_of(*operators) : nullptr;
  if (items == nullptr)
    return;
  for (const auto& item : items->GetArray()) {
    const Value* metadata = json::object_member(item, "metadata");
    const std::string name = metadata ? text(*metadata, "name") : "";
    const Value* spec = json::object_member(item, "spec");
    const std::string spec_revision = spec ? text(*spec, "revision") : "";
    const bool unrevisioned = revision.istiod && revision.istiod->name == "istiod";
    if (name != "installed-state-" + revision.name && spec_revision != revision.name &&
        !(unrevisioned && spec_revision.empty()))
      continue;
    const Value* global = path(item, {"spec", "values", "global"});
    revision.issuer = issuer_from_ca_name(global ? text(*global, "caName") : "");
    revision.issuer_source = "IstioOperator " + name;
    return;
  }
}

// The istiod Deployment's creation time and, when its environment names the CA, the issuer.
void read_istiod_deployment(const Value& deployments, RevisionStatus& revision) {
  const Value* items = items_of(deployments);
  if (items == nullptr || !revision.istiod)
    return;
  for (const auto& item : items->GetArray()) {
    const Value* metadata = json::object_member(item, "metadata");
    if (metadata == nullptr || text(*metadata, "name") != revision.istiod->name ||
        text(*metadata, "namespace") != revision.istiod->ns)
      continue;
    revision.created = text(*metadata, "creationTimestamp");
    const Value* containers = path(item, {"spec", "template", "spec"});
    containers = containers ? json::array_member(*containers, "containers") : nullptr;
    if (containers == nullptr || !revision.issuer.empty())
      return;
    for (const auto& container : containers->GetArray()) {
      const Value* env = json::array_member(container, "env");
      if (env == nullptr)
        continue;
      for (const auto& var : env->GetArray()) {
        const std::string name = text(var, "name");
        const std::string value = text(var, "value");
        if (name == "CA_PROVIDER" || (name == "CA_ADDR" && value.find("meshca") != std::string::npos)) {
          revision.issuer = name == "CA_ADDR" ? "MESHCA" : issuer_from_ca_name(value);
          revision.issuer_source = "istiod env " + name;
        }
      }
    }
    return;
  }
}

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

std::string issuer_from_ca_name(const std::string& ca_name) {
  if (ca_name.empty() || ca_name == "Citadel")
    return "CITADEL";
  if (ca_name == "GoogleCA" || ca_name == "MeshCA")
    return "MESHCA";
  return "";
}

MeshStatus build_status(const StatusInputs& in) {
  MeshStatus status;
  status.ca_secrets = in.ca_secrets;
  const ControlPlane plane = parse_control_plane(in.deployments, in.webhooks);
  for (const ControlPlaneRevision& source : plane.revisions) {
    RevisionStatus revision;
    revision.name = source.name;
    revision.istiod = source.istiod;
    revision.gateways = source.gateways;
    issuer_from_operators(in.operators, revision);
    read_istiod_deployment(in.deployments, revision);
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
  if (auto pods = select_sidecar_pods(in.pods, true)) {
    for (const SidecarPod& pod : pods->sidecars) {
      if (pod.ns == "istio-system" || is_own_gateway(pod, plane))
        continue;
      NamespaceStatus& ns = by_name[pod.ns];
      ns.injection.name = pod.ns;
      ++ns.pods[pod.revision.empty() ? "default" : pod.revision];
    }
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
