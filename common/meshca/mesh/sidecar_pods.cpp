#include "meshca/mesh/sidecar_pods.h"

#include <algorithm>
#include <string_view>
#include <tuple>

namespace meshca {
namespace {

const rapidjson::Value* child(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject())
    return nullptr;
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string string_at(const rapidjson::Value* object, const char* key) {
  if (object == nullptr)
    return {};
  const rapidjson::Value* value = child(*object, key);
  return value != nullptr && value->IsString()
             ? std::string(value->GetString(), value->GetStringLength())
             : std::string();
}

// `sidecar.istio.io/status` is JSON text inside an annotation; only its "revision" matters here.
std::string revision_from_status(const std::string& status) {
  if (status.empty())
    return {};
  rapidjson::Document doc;
  doc.Parse(status.c_str(), status.size());
  if (doc.HasParseError() || !doc.IsObject())
    return {};
  return string_at(&doc, "revision");
}

bool has_container(const rapidjson::Value* containers, bool require_always_restart) {
  if (containers == nullptr || !containers->IsArray())
    return false;
  for (const auto& container : containers->GetArray()) {
    if (string_at(&container, "name") != "istio-proxy")
      continue;
    if (!require_always_restart || string_at(&container, "restartPolicy") == "Always")
      return true;
  }
  return false;
}

std::size_t container_count(const rapidjson::Value* containers) {
  return containers != nullptr && containers->IsArray() ? containers->Size() : 0;
}

} // namespace

bool is_system_namespace(const std::string& ns) {
  return ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease";
}

std::string pod_revision(const rapidjson::Value& pod) {
  const rapidjson::Value* metadata = child(pod, "metadata");
  const rapidjson::Value* annotations = metadata ? child(*metadata, "annotations") : nullptr;
  if (std::string rev = string_at(annotations, "istio.io/rev"); !rev.empty())
    return rev;
  if (std::string rev = revision_from_status(string_at(annotations, "sidecar.istio.io/status"));
      !rev.empty())
    return rev;
  const rapidjson::Value* labels = metadata ? child(*metadata, "labels") : nullptr;
  return string_at(labels, "istio.io/rev");
}

bool has_istio_proxy(const rapidjson::Value& pod, bool* native_sidecar) {
  const rapidjson::Value* spec = child(pod, "spec");
  if (spec == nullptr)
    return false;
  const bool in_containers = has_container(child(*spec, "containers"), false);
  const bool in_init = has_container(child(*spec, "initContainers"), true);
  if (native_sidecar != nullptr)
    *native_sidecar = !in_containers && in_init;
  return in_containers || in_init;
}

Result<PodSelection> select_sidecar_pods(const rapidjson::Value& pod_list,
                                         bool skip_system_namespaces) {
  const rapidjson::Value* items = child(pod_list, "items");
  if (items == nullptr || !items->IsArray())
    return bad_input("the pod list has no \"items\" array (expected the output of kubectl get "
                     "pods -o json)");
  PodSelection selection;
  for (const auto& pod : items->GetArray()) {
    const rapidjson::Value* metadata = child(pod, "metadata");
    SidecarPod sidecar;
    sidecar.ns = string_at(metadata, "namespace");
    sidecar.name = string_at(metadata, "name");
    if (skip_system_namespaces && is_system_namespace(sidecar.ns)) {
      ++selection.excluded_namespace;
      continue;
    }
    if (!has_istio_proxy(pod, &sidecar.native_sidecar)) {
      ++selection.without_sidecar;
      continue;
    }
    if (string_at(child(pod, "status"), "phase") != "Running") {
      ++selection.not_running;
      continue;
    }
    sidecar.uid = string_at(metadata, "uid");
    sidecar.revision = pod_revision(pod);
    const rapidjson::Value* spec = child(pod, "spec");
    sidecar.gateway = !sidecar.native_sidecar && spec != nullptr &&
                      container_count(child(*spec, "containers")) == 1;
    if (const rapidjson::Value* owners = metadata ? child(*metadata, "ownerReferences") : nullptr;
        owners != nullptr && owners->IsArray() && !owners->Empty()) {
      sidecar.owner_kind = string_at(&(*owners)[0], "kind");
      sidecar.owner_name = string_at(&(*owners)[0], "name");
    }
    selection.sidecars.push_back(std::move(sidecar));
  }
  std::sort(selection.sidecars.begin(), selection.sidecars.end(),
            [](const SidecarPod& a, const SidecarPod& b) {
              return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
            });
  return selection;
}

} // namespace meshca
