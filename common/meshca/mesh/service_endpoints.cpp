#include "meshca/mesh/service_endpoints.h"

#include "meshca/util/json.h"

namespace meshca {
namespace {

using rapidjson::Value;

std::string text(const Value* object, std::string_view key) {
  if (object == nullptr || !object->IsObject())
    return {};
  return std::string(json::string_member(*object, key).value_or(""));
}

const Value* items_of(const Value& list) {
  return list.IsObject() ? json::array_member(list, "items") : nullptr;
}

} // namespace

bool pod_ready(const Value& pod) {
  const Value* metadata = json::object_member(pod, "metadata");
  if (metadata != nullptr && metadata->HasMember("deletionTimestamp"))
    return false;
  const Value* status = json::object_member(pod, "status");
  const Value* conditions = status ? json::array_member(*status, "conditions") : nullptr;
  if (conditions == nullptr)
    return false;
  for (const auto& condition : conditions->GetArray())
    if (text(&condition, "type") == "Ready")
      return text(&condition, "status") == "True";
  return false;
}

bool selector_matches(const LabelMap& selector, const LabelMap& labels) {
  for (const auto& [key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value)
      return false;
  }
  return true;
}

ServiceEndpoints service_endpoints(const Value& services, const Value& pods, const std::string& ns,
                                   const std::string& name) {
  ServiceEndpoints endpoints;
  LabelMap selector;
  if (const Value* items = items_of(services))
    for (const auto& service : items->GetArray()) {
      const Value* metadata = json::object_member(service, "metadata");
      if (text(metadata, "name") != name || text(metadata, "namespace") != ns)
        continue;
      endpoints.found = true;
      const Value* spec = json::object_member(service, "spec");
      selector = string_map(spec ? json::object_member(*spec, "selector") : nullptr);
      endpoints.has_selector = !selector.empty();
    }
  if (!endpoints.has_selector)
    return endpoints;
  if (const Value* items = items_of(pods))
    for (const auto& pod : items->GetArray()) {
      const Value* metadata = json::object_member(pod, "metadata");
      if (text(metadata, "namespace") != ns || !pod_ready(pod))
        continue;
      if (selector_matches(
              selector, string_map(metadata ? json::object_member(*metadata, "labels") : nullptr)))
        ++endpoints.ready;
    }
  return endpoints;
}

} // namespace meshca
