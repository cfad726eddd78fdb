#include "server/resources.h"

namespace sim {
namespace {

ResourceInfo make(std::string group, std::string version, std::string kind, std::string plural,
                  bool namespaced, std::string singular, std::vector<std::string> short_names,
                  bool has_status, bool has_scale = false,
                  std::vector<std::string> categories = {}) {
  return ResourceInfo{ResourceType{std::move(group), std::move(version), std::move(kind),
                                   std::move(plural), namespaced},
                      std::move(singular),
                      std::move(short_names),
                      has_status,
                      has_scale,
                      std::move(categories)};
}

std::vector<ResourceInfo> build() {
  const std::vector<std::string> all{"all"};
  return {
      make("", "v1", "Namespace", "namespaces", false, "namespace", {"ns"}, true),
      make("", "v1", "Pod", "pods", true, "pod", {"po"}, true, false, all),
      make("", "v1", "ConfigMap", "configmaps", true, "configmap", {"cm"}, false),
      make("", "v1", "Secret", "secrets", true, "secret", {}, false),
      make("", "v1", "Service", "services", true, "service", {"svc"}, true, false, all),
      make("", "v1", "ServiceAccount", "serviceaccounts", true, "serviceaccount", {"sa"}, false),
      make("", "v1", "Event", "events", true, "event", {"ev"}, false),
      make("", "v1", "Node", "nodes", false, "node", {"no"}, true),
      make("apps", "v1", "Deployment", "deployments", true, "deployment", {"deploy"}, true, true,
           all),
      make("apps", "v1", "ReplicaSet", "replicasets", true, "replicaset", {"rs"}, true, true, all),
      make("apps", "v1", "StatefulSet", "statefulsets", true, "statefulset", {"sts"}, true, true,
           all),
      make("apps", "v1", "DaemonSet", "daemonsets", true, "daemonset", {"ds"}, true, false, all),
      make("apps", "v1", "ControllerRevision", "controllerrevisions", true, "controllerrevision",
           {}, false),
      make("batch", "v1", "Job", "jobs", true, "job", {}, true, false, all),
      make("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true,
           "horizontalpodautoscaler", {"hpa"}, true, false, all),
      make("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true,
           "poddisruptionbudget", {"pdb"}, true),
      make("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration",
           "mutatingwebhookconfigurations", false, "mutatingwebhookconfiguration", {}, false),
      make("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
           "validatingwebhookconfigurations", false, "validatingwebhookconfiguration", {}, false),
      make("install.istio.io", "v1alpha1", "IstioOperator", "istiooperators", true, "istiooperator",
           {"iop", "io"}, false),
  };
}

} // namespace

const std::vector<ResourceInfo>& all_resources() {
  static const std::vector<ResourceInfo> resources = build();
  return resources;
}

const ResourceInfo* find_resource(std::string_view plural) {
  for (const auto& info : all_resources())
    if (info.type.plural == plural)
      return &info;
  return nullptr;
}

const ResourceInfo* find_resource(std::string_view group, std::string_view plural) {
  const auto* info = find_resource(plural);
  return info && info->type.group == group ? info : nullptr;
}

} // namespace sim
