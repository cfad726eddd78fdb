#include "meshca/commands/prune_revision/prune_revision_plan.h"

#include "meshca/mesh/namespace_injection.h"
#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/json.h"

#include <map>

namespace meshca {
namespace {

std::string text(const rapidjson::Value& object, std::string_view key) {
  return std::string(json::string_member(object, key).value_or(""));
}

std::string metadata_text(const rapidjson::Value& object, std::string_view key) {
  const rapidjson::Value* metadata = json::object_member(object, "metadata");
  return metadata ? text(*metadata, key) : std::string();
}

const rapidjson::Value* items_of(const rapidjson::Value& list) {
  return list.IsObject() ? json::array_member(list, "items") : nullptr;
}

// kubectl's resource.group spelling for the kinds an istiod install consists of.
std::string kind_ref(const std::string& kind) {
  static const std::map<std::string, std::string> kRefs = {
      {"Service", "service"},
      {"Deployment", "deployment.apps"},
      {"HorizontalPodAutoscaler", "horizontalpodautoscaler.autoscaling"},
      {"PodDisruptionBudget", "poddisruptionbudget.policy"}};
  auto it = kRefs.find(kind);
  return it == kRefs.end() ? std::string() : it->second;
}

// Another revision new pods could be moved to, when there is exactly one; else "REV".
std::string suggested_target(const ControlPlane& plane, std::string_view old_revision) {
  std::vector<std::string> others;
  for (const ControlPlaneRevision& revision : plane.revisions)
    if (revision.name != old_revision && revision.istiod)
      others.push_back(revision.name);
  return others.size() == 1 ? others.front() : "REV";
}

void add_webhook_objects_and_blockers(std::string_view revision, const ControlPlane& plane,
                                      PrunePlan& plan) {
  const std::string own = own_injector_name(plane, revision);
  const std::string service = "istio-system/" + istiod_name(plane, revision);
  const std::string target = suggested_target(plane, revision);
  for (const InjectorWebhook& webhook : plane.webhooks) {
    const bool ours = webhook.revision == revision || webhook.service == service;
    if (!ours)
      continue;
    if (webhook.name == own && webhook.tag.empty()) {
      plan.objects.push_back({"mutatingwebhookconfiguration.admissionregistration.k8s.io", "",
                              webhook.name, "injector"});
    } else if (!webhook.tag.empty()) {
      plan.blockers.push_back(
          {"revision tag " + webhook.tag + " (mutatingwebhookconfiguration/" + webhook.name +
               ") points at " + std::string(revision),
           "istioctl tag set " + webhook.tag + " --revision " + target + " --overwrite"});
    } else {
      plan.blockers.push_back({"mutatingwebhookconfiguration/" + webhook.name +
                                   " still sends sidecar injection to " + std::string(revision),
                               "move the namespaces it serves, then kubectl delete "
                               "mutatingwebhookconfiguration " +
                                   webhook.name});
    }
  }
}

void add_namespace_blockers(std::string_view revision, const PruneInputs& in, PrunePlan& plan) {
  const std::string target = suggested_target(in.plane, revision);
  for (const NamespaceInjection& ns : resolve_namespaces(in.namespaces, in.plane)) {
    const std::string fix = "kubectl meshca relabel ns " + ns.name + " --revision " + target;
    if (ns.rev_label == revision)
      plan.blockers.push_back(
          {"namespace/" + ns.name + " is labelled istio.io/rev=" + *ns.rev_label, fix});
    else if (ns.injection_label == "enabled" && ns.target == revision)
      plan.blockers.push_back({"namespace/" + ns.name +
                                   " is labelled istio-injection=enabled, which "
                                   "injects from " +
                                   std::string(revision),
                               fix});
  }
}

bool is_own_gateway_pod(const SidecarPod& pod, const ControlPlaneRevision* revision) {
  if (revision == nullptr || pod.owner_kind != "ReplicaSet")
    return false;
  for (const DeploymentRef& gateway : revision->gateways)
    if (gateway.ns == pod.ns && pod.owner_name.starts_with(gateway.name + "-"))
      return true;
  return false;
}

void add_pod_blockers(std::string_view revision, const PruneInputs& in, PrunePlan& plan) {
  const ControlPlaneRevision* own = in.plane.find_revision(revision);
  std::map<std::string, std::vector<std::string>> by_namespace;
  for (const SidecarPod& pod : in.sidecars.sidecars)
    if (same_revision(pod.revision, std::string(revision)) && !is_own_gateway_pod(pod, own))
      by_namespace[pod.ns].push_back(pod.name);
  for (const auto& [ns, pods] : by_namespace) {
    std::string what = "namespace/" + ns + " has " + std::to_string(pods.size()) + " running pod" +
                       (pods.size() == 1 ? "" : "s") + " injected by " + std::string(revision) +
                       ":";
    for (std::size_t i = 0; i < pods.size() && i < 5; ++i)
      what += " " + pods[i];
    if (pods.size() > 5)
      what += " ...";
    plan.blockers.push_back({what, "kubectl meshca rollout " + ns});
  }
}

void add_install_objects(std::string_view revision, const PruneInputs& in, PrunePlan& plan) {
  if (const ControlPlaneRevision* own = in.plane.find_revision(revision))
    for (const DeploymentRef& gateway : own->gateways)
      plan.objects.push_back({"deployment.apps", gateway.ns, gateway.name, "gateway"});
  if (const rapidjson::Value* items = items_of(in.istiod_objects)) {
    for (const auto& item : items->GetArray()) {
      const std::string ref = kind_ref(text(item, "kind"));
      if (!ref.empty())
        plan.objects.push_back(
            {ref, metadata_text(item, "namespace"), metadata_text(item, "name"), "istiod"});
    }
  }
  const rapidjson::Value* operators = in.operators ? items_of(*in.operators) : nullptr;
  if (operators == nullptr)
    return;
  const bool unrevisioned = istiod_name(in.plane, revision) == "istiod";
  for (const auto& item : operators->GetArray()) {
    const std::string name = metadata_text(item, "name");
    const rapidjson::Value* spec = json::object_member(item, "spec");
    const std::string spec_revision = spec ? text(*spec, "revision") : "";
    const bool matches = name == "installed-state-" + std::string(revision) ||
                         (unrevisioned ? spec_revision.empty() || spec_revision == revision
                                       : spec_revision == revision);
    if (matches)
      plan.objects.push_back({"istiooperator.install.istio.io", metadata_text(item, "namespace"),
                              name, "install record"});
  }
}

} // namespace

std::string PruneObject::display() const {
  return ns.empty() ? ref() : ref() + " -n " + ns;
}

std::string istiod_name(const ControlPlane& plane, std::string_view revision) {
  const ControlPlaneRevision* found = plane.find_revision(revision);
  if (found != nullptr && found->istiod)
    return found->istiod->name;
  return revision == "default" ? "istiod" : "istiod-" + std::string(revision);
}

std::string own_injector_name(const ControlPlane& plane, std::string_view revision) {
  return istiod_name(plane, revision) == "istiod"
             ? "istio-sidecar-injector"
             : "istio-sidecar-injector-" + std::string(revision);
}

PrunePlan plan_prune(std::string_view revision, const PruneInputs& inputs) {
  PrunePlan plan;
  plan.revision = revision;
  add_webhook_objects_and_blockers(revision, inputs.plane, plan);
  add_install_objects(revision, inputs, plan);
  add_namespace_blockers(revision, inputs, plan);
  add_pod_blockers(revision, inputs, plan);
  return plan;
}

Error prune_refusal(const PrunePlan& plan, bool force) {
  std::string message = "revision " + plan.revision + " is still in use; nothing was deleted.";
  if (!plan.blockers.empty())
    message += " Deleting it now would leave these without a control plane:";
  for (const PruneBlocker& blocker : plan.blockers)
    message += "\n  " + blocker.what + "\n      fix: " + blocker.fix;
  if (!force && !plan.service_blockers.empty()) {
    message += "\nDeleting its gateways would leave these Services without endpoints:";
    for (const PruneBlocker& blocker : plan.service_blockers)
      message += "\n  " + blocker.what + "\n      fix: " + blocker.fix;
  }
  return check_failed(message);
}

} // namespace meshca
