// Resolving an exec request before any WebSocket is accepted: the pod must exist and be
// Running, and the container must be one of its containers (or native sidecars).

#include "server/api_server.h"
#include "server/json_util.h"

namespace sim {
namespace {

bool has_container(const rapidjson::Value& pod, const char* list, const std::string& name) {
  const auto* containers = find_path(pod, list);
  if (!containers || !containers->IsArray())
    return false;
  for (const auto& container : containers->GetArray())
    if (string_member(container, "name") == name)
      return true;
  return false;
}

std::string first_container(const rapidjson::Value& pod) {
  if (const auto* annotations = find_path(pod, "metadata.annotations"))
    if (auto name = string_member(*annotations, "kubectl.kubernetes.io/default-container");
        !name.empty())
      return name;
  const auto* containers = find_path(pod, "spec.containers");
  if (containers && containers->IsArray() && !containers->Empty())
    return string_member((*containers)[0], "name");
  return "";
}

} // namespace

std::variant<ExecRequest, ApiResponse> ApiServer::prepare_exec(const ApiRequest& request,
                                                               const Route& route) const {
  const auto* pods = find_resource("pods");
  if (route.plural != "pods" || !route.group.empty() || route.ns.empty() || route.name.empty())
    return error_response(404, "NotFound", "the server could not find the requested resource");
  auto text = store_.get("pods", route.ns, route.name);
  if (!text)
    return error_response(404, "NotFound", not_found_message(*pods, route.name), route.name,
                          "pods");
  auto pod = parse_json(*text);
  ExecRequest exec{route.ns, route.name, request.param("container"), {}};
  if (exec.container.empty())
    exec.container = first_container(*pod);
  auto range = request.query.equal_range("command");
  for (auto it = range.first; it != range.second; ++it)
    exec.command.push_back(it->second);
  if (exec.command.empty())
    return error_response(400, "BadRequest", "you must specify at least 1 command");
  if (!has_container(*pod, "spec.containers", exec.container) &&
      !has_container(*pod, "spec.initContainers", exec.container))
    return error_response(400, "BadRequest",
                          "container " + exec.container + " is not valid for pod " + route.name);
  std::string phase = string_at(*pod, "status.phase");
  if (phase == "Succeeded" || phase == "Failed")
    return error_response(400, "BadRequest",
                          "cannot exec into a container in a completed pod; current phase is " +
                              phase);
  if (phase != "Running")
    return error_response(400, "BadRequest",
                          "pod " + route.name + " is not running (phase " +
                              (phase.empty() ? "Pending" : phase) + ")");
  return exec;
}

} // namespace sim
