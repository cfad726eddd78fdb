#include "meshca/mesh/namespace_injection.h"

#include "meshca/util/json.h"

#include <algorithm>

namespace meshca {
namespace {

std::optional<std::string> label(const rapidjson::Value& object, std::string_view key) {
  const rapidjson::Value* metadata = json::object_member(object, "metadata");
  const rapidjson::Value* labels = metadata ? json::object_member(*metadata, "labels") : nullptr;
  if (labels == nullptr)
    return std::nullopt;
  auto value = json::string_member(*labels, key);
  return value ? std::optional<std::string>(std::string(*value)) : std::nullopt;
}

// The revision behind `name` (a revision or a tag), and how it was found.
std::string resolve_rev_label(const std::string& name, const ControlPlane& plane,
                              std::string& via) {
  const ControlPlaneRevision* revision = plane.find_revision(name);
  if (revision != nullptr && revision->istiod) {
    via = "istio.io/rev=" + name;
    return name;
  }
  if (auto target = plane.tag_target(name)) {
    via = "istio.io/rev=" + name + " (tag)";
    return *target;
  }
  return {};
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

NamespaceInjection resolve_namespace(const rapidjson::Value& ns, const ControlPlane& plane) {
  NamespaceInjection out;
  if (const rapidjson::Value* metadata = json::object_member(ns, "metadata"))
    out.name = std::string(json::string_member(*metadata, "name").value_or(""));
  out.injection_label = label(ns, "istio-injection");
  out.rev_label = label(ns, "istio.io/rev");
  if (out.injection_label && out.rev_label)
    out.problems.push_back("both istio-injection and istio.io/rev are set: which revision injects "
                           "its pods is undefined; keep one");
  if (out.injection_label == "enabled") {
    auto target = plane.injection_label_revision();
    const ControlPlaneRevision* revision = target ? plane.find_revision(*target) : nullptr;
    if (target && revision != nullptr && revision->istiod) {
      out.target = *target;
      out.via = plane.tag_target("default") ? "istio-injection=enabled (default tag)"
                                            : "istio-injection=enabled (legacy injector)";
    } else {
      out.problems.push_back(target ? "istio-injection=enabled points at revision " + *target +
                                          ", which has no istiod: its new pods get no sidecar"
                                    : "istio-injection=enabled, but no default tag or injector "
                                      "serves it: its new pods get no sidecar");
    }
    return out;
  }
  if (out.rev_label && !out.injection_label) {
    out.target = resolve_rev_label(*out.rev_label, plane, out.via);
    if (out.target.empty())
      out.problems.push_back("istio.io/rev=" + *out.rev_label + " names no control plane: its "
                             "new pods get no sidecar");
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
  std::sort(out.begin(), out.end(),
            [](const NamespaceInjection& a, const NamespaceInjection& b) { return a.name < b.name; });
  return out;
}

} // namespace meshca
