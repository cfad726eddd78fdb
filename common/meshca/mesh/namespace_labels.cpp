#include "meshca/mesh/namespace_labels.h"

#include "meshca/mesh/namespace_injection.h"
#include "meshca/util/json.h"
#include "meshca/util/words.h"

#include <algorithm>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace meshca {

LabelMap string_map(const rapidjson::Value* object) {
  LabelMap map;
  if (object == nullptr || !object->IsObject())
    return map;
  for (const auto& member : object->GetObject())
    if (member.value.IsString())
      map.emplace(member.name.GetString(), member.value.GetString());
  return map;
}

namespace {

NamespaceInfo read_namespace(const rapidjson::Value& object) {
  NamespaceInfo info;
  if (const rapidjson::Value* metadata = json::object_member(object, "metadata")) {
    info.name = std::string(json::string_member(*metadata, "name").value_or(""));
    info.labels = string_map(json::object_member(*metadata, "labels"));
    info.annotations = string_map(json::object_member(*metadata, "annotations"));
  }
  return info;
}

const char* const kSeeInjectors =
    "kubectl get mutatingwebhookconfigurations -l app=sidecar-injector";

} // namespace

LabelMap NamespaceInfo::injection_labels() const {
  LabelMap injection;
  for (const std::string_view key : {kInjectionLabel, kRevisionLabel})
    if (auto it = labels.find(key); it != labels.end())
      injection.emplace(it->first, it->second);
  return injection;
}

bool NamespaceInfo::has_injection() const {
  const auto injection = labels.find(kInjectionLabel);
  return (injection != labels.end() && injection->second == "enabled") ||
         labels.find(kRevisionLabel) != labels.end();
}

bool NamespaceInfo::has_both_labels() const {
  return labels.find(kInjectionLabel) != labels.end() &&
         labels.find(kRevisionLabel) != labels.end();
}

Result<std::vector<NamespaceInfo>> parse_namespaces(const rapidjson::Value& document,
                                                    std::string_view what) {
  std::vector<NamespaceInfo> namespaces;
  if (document.IsObject() && json::string_member(document, "kind") == "Namespace") {
    namespaces.push_back(read_namespace(document));
    return namespaces;
  }
  const rapidjson::Value* items =
      document.IsObject() ? json::array_member(document, "items") : nullptr;
  if (items == nullptr)
    return cluster_error(std::string(what) + ": the answer is not a list of namespaces");
  for (const auto& item : items->GetArray()) {
    NamespaceInfo info = read_namespace(item);
    if (!info.name.empty())
      namespaces.push_back(std::move(info));
  }
  std::sort(namespaces.begin(), namespaces.end(),
            [](const NamespaceInfo& a, const NamespaceInfo& b) { return a.name < b.name; });
  return namespaces;
}

std::string format_labels(const LabelMap& labels) {
  if (labels.empty())
    return "(no injection label)";
  std::string text;
  for (const auto& [key, value] : labels)
    text += (text.empty() ? "" : ",") + key + "=" + value;
  return text;
}

Result<std::string> serving_revision(const NamespaceInfo& ns, const ControlPlane& control_plane) {
  auto label = [&ns](std::string_view key) -> std::optional<std::string> {
    auto found = ns.labels.find(key);
    return found == ns.labels.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
  const auto injection = label(kInjectionLabel);
  const auto rev = label(kRevisionLabel);
  const InjectionTarget target = injection_target(injection, rev, control_plane);
  const std::string prefix = "namespace " + double_quoted(ns.name);
  const std::string relabel_first =
      "; relabel it first: kubectl meshca relabel ns " + ns.name + " --revision REV";
  switch (target.miss) {
  case InjectionMiss::none:
    return target.revision;
  case InjectionMiss::turned_off:
    return check_failed(prefix + " has sidecar injection turned off (istio-injection=" +
                        *injection + ")" + relabel_first);
  case InjectionMiss::unlabelled:
    return check_failed(prefix +
                        " has no sidecar injection label (istio-injection=enabled or "
                        "istio.io/rev)" +
                        relabel_first);
  case InjectionMiss::enabled_unserved:
    return check_failed(prefix +
                        " is labelled istio-injection=enabled but no injector serves that "
                        "label (no \"default\" revision tag and no legacy injector: " +
                        kSeeInjectors + ")");
  case InjectionMiss::enabled_without_istiod:
    return check_failed(prefix + " is labelled istio-injection=enabled, which points at revision " +
                        double_quoted(target.unserved) +
                        ", but that revision runs no istiod: its new pods would get no sidecar (" +
                        kSeeInjectors + ")");
  case InjectionMiss::unknown_revision:
    break;
  }
  return check_failed(prefix + ": no control plane for revision " + double_quoted(*rev) +
                      " in istio-system (kubectl get deploy -n istio-system -l istio.io/rev)");
}

std::string previous_labels_record(const LabelMap& labels) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const auto& [key, value] : labels) {
    writer.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
    writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  }
  writer.EndObject();
  return buffer.GetString();
}

Result<LabelMap> parse_previous_labels(std::string_view value, std::string_view ns) {
  const std::string what =
      "namespace " + double_quoted(ns) + ": annotation " + std::string(kPreviousLabelsAnnotation);
  auto document = json::parse(value, what);
  if (!document)
    return check_failed(document.error().message);
  if (!document->IsObject())
    return check_failed(what + " is not a JSON object of labels");
  LabelMap labels;
  for (const auto& member : document->GetObject()) {
    if (!member.value.IsString())
      return check_failed(what + ": label " + double_quoted(member.name.GetString()) +
                          " does not have a string value");
    const std::string_view key = member.name.GetString();
    if (key == kInjectionLabel || key == kRevisionLabel)
      labels.emplace(key, member.value.GetString());
  }
  return labels;
}

} // namespace meshca
