#include "server/discovery.h"

#include "server/json_util.h"
#include "server/resources.h"

#include <map>
#include <set>
#include <vector>

namespace sim {
namespace {

const char* kVerbs =
    R"(["create","delete","deletecollection","get","list","patch","update","watch"])";

std::string string_array(const std::vector<std::string>& items) {
  std::string json = "[";
  for (const auto& item : items)
    json += (json.size() > 1 ? "," : "") + quote(item);
  return json + "]";
}

struct Subresource {
  std::string name, kind, verbs;
};

std::vector<Subresource> subresources_of(const ResourceInfo& info) {
  std::vector<Subresource> subs;
  if (info.has_status)
    subs.push_back({"status", info.type.kind, R"(["get","patch","update"])"});
  if (info.has_scale)
    subs.push_back({"scale", "Scale", R"(["get","patch","update"])"});
  if (info.type.plural == "pods") {
    subs.push_back({"exec", "PodExecOptions", R"(["create","get"])"});
    subs.push_back({"log", "Pod", R"(["get"])"});
  }
  return subs;
}

// Group versions in first-seen order ("" first).
std::vector<std::pair<std::string, std::string>> group_versions() {
  std::vector<std::pair<std::string, std::string>> result;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& info : all_resources())
    if (seen.insert({info.type.group, info.type.version}).second)
      result.emplace_back(info.type.group, info.type.version);
  return result;
}

std::string legacy_resource(const ResourceInfo& info) {
  std::string json = "{\"name\":" + quote(info.type.plural) +
                     ",\"singularName\":" + quote(info.singular) +
                     ",\"namespaced\":" + (info.type.namespaced ? "true" : "false") +
                     ",\"kind\":" + quote(info.type.kind) + ",\"verbs\":" + kVerbs;
  if (!info.short_names.empty())
    json += ",\"shortNames\":" + string_array(info.short_names);
  if (!info.categories.empty())
    json += ",\"categories\":" + string_array(info.categories);
  json += "}";
  for (const auto& sub : subresources_of(info))
    json += ",{\"name\":" + quote(info.type.plural + "/" + sub.name) +
            ",\"singularName\":\"\",\"namespaced\":" + (info.type.namespaced ? "true" : "false") +
            ",\"kind\":" + quote(sub.kind) + ",\"verbs\":" + sub.verbs + "}";
  return json;
}

std::string response_kind(const std::string& group, const std::string& version,
                          const std::string& kind) {
  return "{\"group\":" + quote(group) + ",\"version\":" + quote(version) +
         ",\"kind\":" + quote(kind) + "}";
}

std::string aggregated_resource(const ResourceInfo& info) {
  const auto& t = info.type;
  std::string json = "{\"resource\":" + quote(t.plural) +
                     ",\"responseKind\":" + response_kind(t.group, t.version, t.kind) +
                     ",\"scope\":" + (t.namespaced ? "\"Namespaced\"" : "\"Cluster\"") +
                     ",\"singularResource\":" + quote(info.singular) + ",\"verbs\":" + kVerbs;
  if (!info.short_names.empty())
    json += ",\"shortNames\":" + string_array(info.short_names);
  if (!info.categories.empty())
    json += ",\"categories\":" + string_array(info.categories);
  json += ",\"subresources\":[";
  bool first = true;
  for (const auto& sub : subresources_of(info)) {
    json += (first ? "" : ",") + std::string("{\"subresource\":") + quote(sub.name) +
            ",\"responseKind\":" +
            response_kind(sub.kind == "Scale" ? "autoscaling" : t.group, "v1", sub.kind) +
            ",\"verbs\":" + sub.verbs + "}";
    first = false;
  }
  return json + "]}";
}

} // namespace

std::string version_json() {
  return std::string(R"({"major":"1","minor":"32","gitVersion":")") +
         std::string(kServerGitVersion) +
         R"(","gitCommit":"meshca-sim","gitTreeState":"clean","buildDate":"2025-01-01T00:00:00Z",)"
         R"("goVersion":"go1.23.6","compiler":"gc","platform":"linux/amd64"})";
}

std::string legacy_api_versions_json() {
  return R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]})";
}

std::string legacy_group_list_json() {
  std::string groups;
  for (const auto& [group, version] : group_versions()) {
    if (group.empty())
      continue;
    std::string gv = "{\"groupVersion\":" + quote(group + "/" + version) +
                     ",\"version\":" + quote(version) + "}";
    groups += (groups.empty() ? "" : ",") + std::string("{\"name\":") + quote(group) +
              ",\"versions\":[" + gv + "],\"preferredVersion\":" + gv + "}";
  }
  return R"({"kind":"APIGroupList","apiVersion":"v1","groups":[)" + groups + "]}";
}

std::optional<std::string> resource_list_json(std::string_view group, std::string_view version) {
  std::string resources;
  for (const auto& info : all_resources())
    if (info.type.group == group && info.type.version == version)
      resources += (resources.empty() ? "" : ",") + legacy_resource(info);
  if (resources.empty())
    return std::nullopt;
  std::string gv =
      group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  return R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":)" + quote(gv) +
         ",\"resources\":[" + resources + "]}";
}

std::string aggregated_discovery_json(bool core, std::string_view discovery_version) {
  std::string items;
  for (const auto& [group, version] : group_versions()) {
    if (group.empty() != core)
      continue;
    std::string resources;
    for (const auto& info : all_resources())
      if (info.type.group == group && info.type.version == version)
        resources += (resources.empty() ? "" : ",") + aggregated_resource(info);
    items += (items.empty() ? "" : ",") + std::string("{\"metadata\":{\"name\":") + quote(group) +
             ",\"creationTimestamp\":null},\"versions\":[{\"version\":" + quote(version) +
             ",\"resources\":[" + resources + "],\"freshness\":\"Current\"}]}";
  }
  return R"({"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/)" +
         std::string(discovery_version) + R"(","metadata":{},"items":[)" + items + "]}";
}

std::string aggregated_content_type(std::string_view discovery_version) {
  return "application/json;g=apidiscovery.k8s.io;v=" + std::string(discovery_version) +
         ";as=APIGroupDiscoveryList";
}

std::optional<std::string> wanted_aggregated_version(std::string_view accept) {
  // kubectl lists v2 first, then v2beta1, then plain JSON; take the first one offered.
  std::size_t start = 0;
  while (start <= accept.size()) {
    auto comma = accept.find(',', start);
    auto entry = accept.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                                      : comma - start);
    if (entry.find("as=APIGroupDiscoveryList") != std::string_view::npos &&
        entry.find("g=apidiscovery.k8s.io") != std::string_view::npos) {
      if (entry.find("v=v2beta1") != std::string_view::npos)
        return std::string("v2beta1");
      if (entry.find("v=v2") != std::string_view::npos)
        return std::string("v2");
    }
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return std::nullopt;
}

std::string openapi_v3_root_json() {
  std::string paths;
  for (const auto& [group, version] : group_versions()) {
    std::string path = group.empty() ? "api/" + version : "apis/" + group + "/" + version;
    paths += (paths.empty() ? "" : ",") + quote(path) + ":{\"serverRelativeURL\":" +
             quote("/openapi/v3/" + path + "?hash=" + std::string(kServerGitVersion)) + "}";
  }
  return "{\"paths\":{" + paths + "}}";
}

std::optional<std::string> openapi_v3_group_version_json(std::string_view path) {
  std::string paths;
  for (const auto& [group, version] : group_versions()) {
    std::string gv_path = group.empty() ? "api/" + version : "apis/" + group + "/" + version;
    if (gv_path != path)
      continue;
    for (const auto& info : all_resources()) {
      const auto& t = info.type;
      if (t.group != group || t.version != version)
        continue;
      std::string object_path =
          "/" + gv_path + (t.namespaced ? "/namespaces/{namespace}/" : "/") + t.plural + "/{name}";
      paths += (paths.empty() ? "" : ",") + quote(object_path) +
               ":{\"patch\":{\"operationId\":" + quote("patch" + t.kind) +
               ",\"x-kubernetes-action\":\"patch\",\"x-kubernetes-group-version-kind\":" +
               response_kind(t.group, t.version, t.kind) +
               ",\"parameters\":[{\"name\":\"fieldValidation\",\"in\":\"query\",\"schema\":{"
               "\"type\":\"string\"}},"
               "{\"name\":\"dryRun\",\"in\":\"query\",\"schema\":{\"type\":\"string\"}}],"
               "\"responses\":{}}}";
    }
    return std::string("{\"openapi\":\"3.0.0\",\"info\":{\"title\":\"Kubernetes\",\"version\":") +
           quote(kServerGitVersion) + "},\"paths\":{" + paths +
           "},\"components\":{\"schemas\":{}}}";
  }
  return std::nullopt;
}

} // namespace sim
