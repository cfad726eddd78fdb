#include "meshca/mesh/namespace_injection.h"

#include "meshca/util/json.h"

#include <algorithm>

namespace meshca {
namespace {

std::optional<std::string> label_of(const rapidjson::Value& object, std::string_view key) {
  const rapidjson::Value* metadata = json::object_member(object, "metadata");
  const rapidjson::Value* labels = metadata ? json::object_member(*metadata, "labels") : nullptr;
  if (labels == nullptr)
    return std::nullopt;
  auto value = json::string_member(*labels, key);
  return value ? std::optional<std::string>(std::string(*value)) : std::nullopt;
}

} // namespace

std::string NamespaceInjection::labels_text() const {
  std::string text;
  if (injection_label)
    text = "istio-injection=" + *injection_label;
  if (rev_label)
    text += (text.empty() ? "" : ",") + std::string("istio.io/rev=") + *rev_label;
  return text;
}

bool same_revision(const std::string& pod_revision, const std::string& revision) {
  if (pod_revision == revision)
    return true;
  return revision == "default" && pod_revision.empty();
}

InjectionTarget injection_target(const std::optional<std::string>& injection_label,
                                 const std::optional<std::string>& rev_label,
                                 const ControlPlane& plane) {
  InjectionTarget out;
  if (injection_label) {
    if (*injection_label != "enabled") {
      out.miss = InjectionMiss::turned_off;
      return out;
    }
    const auto target = plane.injection_label_revision();
    const ControlPlaneRevision* revision = target ? plane.find_revision(*target) : nullptr;
    if (!target) {
      out.miss = InjectionMiss::enabled_unserved;
    } else if (revision == nullptr || !revision->istiod) {
      out.miss = InjectionMiss::enabled_without_istiod;
      out.unserved = *target;
    } else {
      out.revision = *target;
      out.via = plane.tag_target("default") ? "istio-injection=enabled (default tag)"
                                            : "istio-injection=enabled (legacy injector)";
    }
    return out;
  }
  if (!rev_label) {
    out.miss = InjectionMiss::unlabelled;
    return out;
  }
  const ControlPlaneRevision* revision = plane.find_revision(*rev_label);
  if (revision != nullptr && revision->istiod) {
    out.revision = *rev_label;
    out.via = "istio.io/rev=" + *rev_label;
  } else if (auto target = plane.tag_target(*rev_label)) {
    out.revision = *target;
    out.via = "istio.io/rev=" + *rev_label + " (tag)";
  } else {
    out.miss = InjectionMiss::unknown_revision;
  }
  return out;
}

NamespaceInjection resolve_namespace(const rapidjson::Value& ns, const ControlPlane& plane) {
  NamespaceInjection out;
  if (const rapidjson::Value* metadata = json::object_member(ns, "metadata"))
    out.name = std::string(json::string_member(*metadata, "name").value_or(""));
  out.injection_label = label_of(ns, "istio-injection");
  out.rev_label = label_of(ns, "istio.io/rev");
  if (out.injection_label && out.rev_label)
    out.problems.push_back("both istio-injection and istio.io/rev are set: which revision injects "
                           "its pods is undefined; keep one");
  const InjectionTarget target = injection_target(out.injection_label, out.rev_label, plane);
  out.target = target.revision;
  out.via = target.via;
  switch (target.miss) {
  case InjectionMiss::enabled_unserved:
    out.problems.push_back("istio-injection=enabled, but no default tag or injector serves it: its "
                           "new pods get no sidecar");
    break;
  case InjectionMiss::enabled_without_istiod:
    out.problems.push_back("istio-injection=enabled points at revision " + target.unserved +
                           ", which has no istiod: its new pods get no sidecar");
    break;
  case InjectionMiss::unknown_revision:
    out.problems.push_back("istio.io/rev=" + *out.rev_label +
                           " names no control plane: its new pods get no sidecar");
    break;
  case InjectionMiss::none:
  case InjectionMiss::turned_off:
  case InjectionMiss::unlabelled:
    break;
  }
  return out;
}

std::vector<NamespaceInjection> resolve_namespaces(const rapidjson::Value& list,
                                                   const ControlPlane& plane) {
  std::vector<NamespaceInjection> out;
  const rapidjson::Value* items = list.IsObject() ? json::array_member(list, "items") : nullptr;
  if (items == nullptr)
    return out;
  for (const auto& ns : items->GetArray())
    out.push_back(resolve_namespace(ns, plane));
  std::sort(out.begin(), out.end(), [](const NamespaceInjection& a, const NamespaceInjection& b) {
    return a.name < b.name;
  });
  return out;
}

} // namespace meshca
