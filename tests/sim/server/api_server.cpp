#include "server/api_server.h"

#include "server/discovery.h"
#include "server/json_util.h"
#include "server/patch.h"

#include <algorithm>

namespace sim {
namespace {

ApiResponse json_ok(std::string body) {
  return ApiResponse{200, "application/json", std::move(body)};
}

} // namespace

ApiServer::ApiServer(Store& store, Faults& faults, MutationLog& log, Stats& stats)
    : store_(store), faults_(faults), log_(log), stats_(stats) {}

void ApiServer::add_get_route(const std::string& path, std::function<ApiResponse()> handler) {
  get_routes_[path] = std::move(handler);
}

void ApiServer::add_simctl_route(const std::string& name,
                                 std::function<ApiResponse(const ApiRequest&)> handler) {
  simctl_routes_[name] = std::move(handler);
}

ApiResponse ApiServer::handle(const ApiRequest& request, const Route& route) {
  switch (route.kind) {
  case Route::Kind::version:
    return json_ok(version_json());
  case Route::Kind::health:
    return ApiResponse{200, "text/plain", "ok"};
  case Route::Kind::api_root:
  case Route::Kind::apis_root: {
    bool core = route.kind == Route::Kind::api_root;
    if (auto version = wanted_aggregated_version(request.accept))
      return ApiResponse{200, aggregated_content_type(*version),
                         aggregated_discovery_json(core, *version)};
    return json_ok(core ? legacy_api_versions_json() : legacy_group_list_json());
  }
  case Route::Kind::group_version:
    if (auto list = resource_list_json(route.group, route.version))
      return json_ok(*list);
    return error_response(404, "NotFound", "the server could not find the requested resource");
  case Route::Kind::openapi_v3: {
    if (request.path == "/openapi/v3" || request.path == "/openapi/v3/")
      return json_ok(openapi_v3_root_json());
    constexpr std::string_view prefix = "/openapi/v3/";
    if (request.path.rfind(prefix, 0) == 0)
      if (auto doc =
              openapi_v3_group_version_json(std::string_view(request.path).substr(prefix.size())))
        return json_ok(*doc);
    return error_response(404, "NotFound", "the server could not find the requested resource");
  }
  case Route::Kind::openapi_v2:
    return error_response(404, "NotFound", "the server could not find the requested resource");
  case Route::Kind::simctl:
    return handle_simctl(request, route);
  case Route::Kind::resource: {
    const auto* info = find_resource(route.group, route.plural);
    if (!info || info->type.version != route.version)
      return error_response(404, "NotFound", "the server could not find the requested resource");
    if (info->type.namespaced == false && !route.ns.empty())
      return error_response(404, "NotFound", "the server could not find the requested resource");
    return handle_resource(request, route, *info);
  }
  case Route::Kind::other:
    break;
  }
  if (request.method == "GET")
    if (auto it = get_routes_.find(request.path); it != get_routes_.end())
      return it->second();
  return error_response(404, "NotFound", "the server could not find the requested resource");
}

ApiResponse ApiServer::handle_simctl(const ApiRequest& request, const Route& route) {
  const auto& method = request.method;
  if (route.name == "faults") {
    if (method == "GET")
      return json_ok(faults_.to_json());
    if (method == "DELETE") {
      faults_.clear();
      return json_ok(faults_.to_json());
    }
    if (method == "POST" || method == "PUT" || method == "PATCH") {
      if (auto error = faults_.apply_json(request.body))
        return error_response(400, "BadRequest", *error);
      return json_ok(faults_.to_json());
    }
  } else if (route.name == "log") {
    if (method == "GET")
      return ApiResponse{200, "application/x-ndjson", log_.contents()};
    if (method == "DELETE") {
      log_.clear();
      return ApiResponse{200, "application/x-ndjson", ""};
    }
  } else if (route.name == "stats") {
    if (method == "GET")
      return json_ok(stats_.to_json());
    if (method == "DELETE") {
      stats_.reset();
      return json_ok(stats_.to_json());
    }
  } else if (auto it = simctl_routes_.find(route.name); it != simctl_routes_.end()) {
    return it->second(request);
  }
  std::string known = "/simctl/faults, /simctl/log, /simctl/stats";
  for (const auto& [name, handler] : simctl_routes_)
    known += ", /simctl/" + name;
  return error_response(404, "NotFound", "unknown control endpoint; use " + known);
}

ApiResponse ApiServer::handle_resource(const ApiRequest& request, const Route& route,
                                       const ResourceInfo& info) {
  if (info.type.namespaced && route.ns.empty() && route.verb != "list" && route.verb != "watch")
    return error_response(404, "NotFound", "the server could not find the requested resource");
  const std::string& verb = route.verb;
  if (!route.subresource.empty() && route.subresource != "status" && route.subresource != "scale")
    return error_response(404, "NotFound", "the server could not find the requested resource");
  if (verb == "get")
    return get(request, route, info);
  if (verb == "list")
    return list(request, route, info);
  if (verb == "create")
    return route.name.empty() ? create(request, route, info)
                              : error_response(405, "MethodNotAllowed",
                                               "create on a named object is not supported");
  if (verb == "update")
    return update(request, route, info);
  if (verb == "patch")
    return patch(request, route, info);
  if (verb == "delete")
    return remove(request, route, info);
  if (verb == "deletecollection")
    return remove_collection(request, route, info);
  return error_response(400, "BadRequest", "the " + verb + " verb needs a streaming connection");
}

void ApiServer::log_mutation(const ApiRequest& request, const Route& route,
                             const ApiResponse& response, const std::string& body_json,
                             const std::string& patch_type) {
  MutationRecord record;
  record.verb = route.verb;
  record.resource = route.plural;
  record.subresource = route.subresource;
  record.ns = route.ns;
  record.name = route.name;
  if (record.name.empty() && route.verb == "create")
    if (auto doc = parse_json(response.status < 300 ? response.body : body_json))
      record.name = string_at(*doc, "metadata.name");
  record.patch_type = patch_type;
  record.body = body_json;
  record.dry_run = is_dry_run(request);
  record.code = response.status;
  log_.append(record);
}

void ApiServer::log_fault(const ApiRequest& request, const Route& route, int code) {
  const auto& verb = route.verb;
  if (verb != "create" && verb != "update" && verb != "patch" && verb != "delete" &&
      verb != "deletecollection")
    return;
  auto type = patch_type_from_content_type(request.content_type);
  log_mutation(request, route, ApiResponse{code, "", ""}, request.body,
               type ? std::string(patch_type_name(*type)) : "");
}

bool wants_table(const ApiRequest& request) {
  return request.accept.find("as=Table") != std::string::npos;
}

bool is_dry_run(const ApiRequest& request) {
  auto range = request.query.equal_range("dryRun");
  for (auto it = range.first; it != range.second; ++it)
    if (it->second == "All")
      return true;
  // DELETE carries it in its DeleteOptions body: {"dryRun":["All"], ...}.
  if (request.method == "DELETE" && !request.body.empty())
    if (auto options = parse_json(request.body))
      if (const auto* dry_run = member(*options, "dryRun"); dry_run && dry_run->IsArray())
        for (const auto& value : dry_run->GetArray())
          if (value.IsString() && std::string_view(value.GetString()) == "All")
            return true;
  return false;
}

std::string object_ref(const ResourceInfo& info, const std::string& name) {
  std::string resource =
      info.type.group.empty() ? info.type.plural : info.type.plural + "." + info.type.group;
  return resource + " \"" + name + "\"";
}

std::string not_found_message(const ResourceInfo& info, const std::string& name) {
  return object_ref(info, name) + " not found";
}

std::optional<std::string> unsupported_field(const ResourceInfo& info,
                                             const FieldSelector& selector) {
  static const std::vector<std::string> pod_fields{
      "spec.nodeName",    "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
      "spec.hostNetwork", "status.phase",       "status.podIP",       "status.nominatedNodeName"};
  for (const auto& requirement : selector.requirements) {
    const auto& path = requirement.path;
    if (path == "metadata.name" || path == "metadata.namespace")
      continue;
    if (info.type.plural == "pods" &&
        std::find(pod_fields.begin(), pod_fields.end(), path) != pod_fields.end())
      continue;
    if (info.type.plural == "secrets" && path == "type")
      continue;
    if (info.type.plural == "events" && path.rfind("involvedObject.", 0) == 0)
      continue;
    if (info.type.plural == "namespaces" && path == "status.phase")
      continue;
    if (info.type.plural == "replicasets" && path == "status.replicas")
      continue;
    return "field label not supported: " + path;
  }
  return std::nullopt;
}

} // namespace sim
