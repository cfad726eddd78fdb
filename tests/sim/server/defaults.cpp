#include "server/defaults.h"

#include "server/json_util.h"

namespace sim {
namespace {

// Sets object[key] from JSON text when the member is missing.
void default_member(rapidjson::Value& object, const char* key, const char* json,
                    rapidjson::Document::AllocatorType& alloc) {
  if (member(object, key))
    return;
  rapidjson::Document value(&alloc);
  value.Parse(json);
  set_member(object, key, rapidjson::Value(value, alloc), alloc);
}

} // namespace

void apply_defaults(const std::string& plural, rapidjson::Document& doc) {
  if (!doc.IsObject())
    return;
  auto& alloc = doc.GetAllocator();
  if (plural == "secrets") {
    default_member(doc, "type", "\"Opaque\"", alloc);
    return;
  }
  if (plural == "namespaces") {
    auto& status = ensure_object(doc, "status", alloc);
    default_member(status, "phase", "\"Active\"", alloc);
    return;
  }
  auto* spec = member(doc, "spec");
  if (!spec || !spec->IsObject())
    return;
  if (plural == "deployments") {
    default_member(*spec, "replicas", "1", alloc);
    default_member(
        *spec, "strategy",
        R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}})",
        alloc);
    default_member(*spec, "revisionHistoryLimit", "10", alloc);
    default_member(*spec, "progressDeadlineSeconds", "600", alloc);
  } else if (plural == "statefulsets") {
    default_member(*spec, "replicas", "1", alloc);
    default_member(*spec, "updateStrategy",
                   R"({"type":"RollingUpdate","rollingUpdate":{"partition":0}})", alloc);
    default_member(*spec, "podManagementPolicy", "\"OrderedReady\"", alloc);
    default_member(*spec, "revisionHistoryLimit", "10", alloc);
  } else if (plural == "daemonsets") {
    default_member(*spec, "updateStrategy",
                   R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}})",
                   alloc);
    default_member(*spec, "revisionHistoryLimit", "10", alloc);
  } else if (plural == "services") {
    default_member(*spec, "type", "\"ClusterIP\"", alloc);
  }
}

} // namespace sim
