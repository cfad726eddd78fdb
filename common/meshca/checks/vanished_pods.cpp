#include "meshca/checks/vanished_pods.h"

#include "meshca/util/json.h"
#include "meshca/util/worker_pool.h"

namespace meshca {

bool pod_stopped_running(KubectlRunner& kubectl, const SidecarPod& pod) {
  const std::vector<std::string> args = {"get",  "pod", pod.name, "--namespace",
                                         pod.ns, "-o",  "json"};
  auto output = run_with_retries(kubectl, args);
  if (!output)
    return false;
  if (!output->succeeded())
    return is_not_found(*output);
  auto document = json::parse(output->out, "pod " + pod.ns + "/" + pod.name);
  if (!document || !document->IsObject())
    return false;
  const rapidjson::Value* metadata = json::object_member(*document, "metadata");
  const rapidjson::Value* status = json::object_member(*document, "status");
  if (metadata == nullptr)
    return false;
  const auto uid = json::string_member(*metadata, "uid");
  if (!pod.uid.empty() && uid && *uid != pod.uid)
    return true; // a StatefulSet's pod recreated under the same name
  if (metadata->HasMember("deletionTimestamp"))
    return true;
  const auto phase = status != nullptr ? json::string_member(*status, "phase") : std::nullopt;
  return phase && *phase != "Running";
}

std::vector<bool> stopped_pods(KubectlRunner& kubectl,
                               const std::vector<const SidecarPod*>& candidates,
                               std::size_t parallel, const std::atomic<bool>* cancel) {
  std::vector<char> stopped(candidates.size(), 0);
  parallel_for(
      candidates.size(), parallel,
      [&](std::size_t i) { stopped[i] = pod_stopped_running(kubectl, *candidates[i]) ? 1 : 0; },
      cancel);
  return {stopped.begin(), stopped.end()};
}

} // namespace meshca
