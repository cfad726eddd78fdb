#include "mesh/controller_view.h"

#include "mesh/json_text.h"
#include "server/json_util.h"

#include <algorithm>

namespace sim::mesh {

using rapidjson::Value;

Controllers::Owned parse_owned(const std::string& json) {
  Controllers::Owned o;
  o.doc.Parse(json.c_str(), json.size());
  if (o.doc.HasParseError() || !o.doc.IsObject()) {
    o.doc.SetObject();
    return o;
  }
  o.kind = string_member(o.doc, "kind");
  o.api_version = string_member(o.doc, "apiVersion");
  o.name = string_at(o.doc, "metadata.name");
  o.uid = string_at(o.doc, "metadata.uid");
  o.created = string_at(o.doc, "metadata.creationTimestamp");
  if (const Value* refs = find_path(o.doc, "metadata.ownerReferences"); refs && refs->IsArray())
    for (const auto& ref : refs->GetArray())
      if (const Value* c = member(ref, "controller"); c && c->IsBool() && c->GetBool())
        o.owner_uid = string_member(ref, "uid");
  return o;
}

namespace {
Controllers::PodInfo pod_info(const std::string& json) {
  Controllers::PodInfo p;
  auto doc = parse_json(json);
  if (!doc || !doc->IsObject())
    return p;
  p.name = string_at(*doc, "metadata.name");
  p.uid = string_at(*doc, "metadata.uid");
  p.created = string_at(*doc, "metadata.creationTimestamp");
  p.node = string_at(*doc, "spec.nodeName");
  p.labels = labels_of(*doc);
  p.ready = pod_is_ready(*doc);
  if (const Value* refs = find_path(*doc, "metadata.ownerReferences"); refs && refs->IsArray())
    for (const auto& ref : refs->GetArray())
      if (const Value* c = member(ref, "controller"); c && c->IsBool() && c->GetBool())
        p.owner_uid = string_member(ref, "uid");
  return p;
}
} // namespace

Controllers::View load_view(const Store& store, const std::string& ns) {
  Controllers::View view;
  view.ns = ns;
  const std::pair<const char*, std::vector<Controllers::Owned>*> kinds[] = {
      {"deployments", &view.deployments},
      {"replicasets", &view.replicasets},
      {"statefulsets", &view.statefulsets},
      {"daemonsets", &view.daemonsets},
      {"jobs", &view.jobs}};
  for (const auto& [plural, list] : kinds)
    for (const auto& json : store.list(plural, ns))
      list->push_back(parse_owned(json));
  for (const auto& json : store.list("pods", ns))
    view.pods.push_back(pod_info(json));
  return view;
}

std::vector<const Controllers::PodInfo*>
Controllers::View::pods_of(const std::string& owner_uid) const {
  std::vector<const PodInfo*> out;
  for (const auto& p : pods)
    if (p.owner_uid == owner_uid)
      out.push_back(&p);
  return out;
}

int Controllers::View::ready_count(const std::vector<const PodInfo*>& pods) {
  return static_cast<int>(
      std::count_if(pods.begin(), pods.end(), [](const PodInfo* p) { return p->ready; }));
}

bool pod_is_ready(const Value& pod) {
  const Value* conditions = find_path(pod, "status.conditions");
  if (!conditions || !conditions->IsArray())
    return false;
  return std::any_of(conditions->Begin(), conditions->End(), [](const Value& c) {
    return string_member(c, "type") == "Ready" && string_member(c, "status") == "True";
  });
}

Value pending_status(rapidjson::Document::AllocatorType& alloc) {
  auto doc =
      parse_json(obj({{"phase", str("Pending")},
                      {"conditions", arr({obj({{"type", str("PodScheduled")},
                                               {"status", str("True")},
                                               {"lastTransitionTime", str(now_rfc3339())}})})},
                      {"qosClass", str("Burstable")}})
                     .text);
  return Value(*doc, alloc);
}

namespace {
Json container_status(const Value& container, bool ready, bool init_done, const std::string& now) {
  std::string name = string_member(container, "name");
  Json state = init_done ? obj({{"terminated", obj({{"exitCode", num(0)},
                                                    {"reason", str("Completed")},
                                                    {"startedAt", str(now)},
                                                    {"finishedAt", str(now)}})}})
                         : obj({{"running", obj({{"startedAt", str(now)}})}});
  return obj({{"name", str(name)},
              {"image", str(string_member(container, "image"))},
              {"imageID", str("sha256:" + std::string(64, 'a'))},
              {"containerID", str("containerd://" + std::string(64, 'c'))},
              {"ready", boolean(init_done || ready)},
              {"started", boolean(!init_done)},
              {"restartCount", num(0)},
              {"state", state}});
}
} // namespace

Value running_status(const Value& pod, const std::string& ip, bool ready,
                     rapidjson::Document::AllocatorType& alloc) {
  std::string now = now_rfc3339();
  std::vector<Json> inits, containers;
  if (const Value* list = find_path(pod, "spec.initContainers"); list && list->IsArray())
    for (const auto& c : list->GetArray())
      inits.push_back(
          container_status(c, ready, string_member(c, "restartPolicy") != "Always", now));
  if (const Value* list = find_path(pod, "spec.containers"); list && list->IsArray())
    for (const auto& c : list->GetArray())
      containers.push_back(container_status(c, ready, false, now));
  const char* r = ready ? "True" : "False";
  auto condition = [&](const char* type, const char* status) {
    return obj({{"type", str(type)}, {"status", str(status)}, {"lastTransitionTime", str(now)}});
  };
  std::string host_ip =
      "192.168.0." +
      std::to_string(2 + std::hash<std::string>{}(string_at(pod, "spec.nodeName")) % 200);
  std::vector<std::pair<std::string, Json>> members = {
      {"phase", str("Running")},
      {"conditions", arr({condition("PodReadyToStartContainers", "True"),
                          condition("Initialized", "True"), condition("Ready", r),
                          condition("ContainersReady", r), condition("PodScheduled", "True")})},
      {"hostIP", str(host_ip)},
      {"hostIPs", arr({obj({{"ip", str(host_ip)}})})},
      {"podIP", str(ip)},
      {"podIPs", arr({obj({{"ip", str(ip)}})})},
      {"startTime", str(now)}};
  if (!inits.empty())
    members.emplace_back("initContainerStatuses", arr(inits));
  members.emplace_back("containerStatuses", arr(containers));
  members.emplace_back("qosClass", str("Burstable"));
  auto doc = parse_json(obj(members).text);
  return Value(*doc, alloc);
}

namespace {
std::vector<std::string> names_of(const Value& pod, const char* path) {
  std::vector<std::string> names;
  if (const Value* list = find_path(pod, path); list && list->IsArray())
    for (const auto& c : list->GetArray())
      names.push_back(string_member(c, "name"));
  return names;
}

std::string bracketed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names)
    out += (out.empty() ? "" : " ") + name;
  return "[" + out + "]";
}
} // namespace

// Kubelet's generateAPIPodStatus before any container was created (pkg/kubelet/kubelet_pods.go).
Value unmounted_status(const Value& pod, rapidjson::Document::AllocatorType& alloc) {
  std::string now = now_rfc3339();
  std::vector<std::string> inits = names_of(pod, "spec.initContainers");
  std::vector<std::string> containers = names_of(pod, "spec.containers");
  const char* reason = inits.empty() ? "ContainerCreating" : "PodInitializing";
  auto statuses = [&](const char* path) {
    std::vector<Json> out;
    if (const Value* list = find_path(pod, path); list && list->IsArray())
      for (const auto& c : list->GetArray())
        out.push_back(obj({{"name", str(string_member(c, "name"))},
                           {"image", str(string_member(c, "image"))},
                           {"imageID", str("")},
                           {"ready", boolean(false)},
                           {"started", boolean(false)},
                           {"restartCount", num(0)},
                           {"state", obj({{"waiting", obj({{"reason", str(reason)}})}})}}));
    return out;
  };
  auto condition = [&](const char* type, const char* status, const std::string& why = {},
                       const std::string& message = {}) {
    std::vector<std::pair<std::string, Json>> m = {
        {"type", str(type)}, {"status", str(status)}, {"lastTransitionTime", str(now)}};
    if (!why.empty())
      m.emplace_back("reason", str(why));
    if (!message.empty())
      m.emplace_back("message", str(message));
    return obj(m);
  };
  std::vector<std::string> unready; // native sidecars (restartable init containers) first
  if (const Value* list = find_path(pod, "spec.initContainers"); list && list->IsArray())
    for (const auto& c : list->GetArray())
      if (string_member(c, "restartPolicy") == "Always")
        unready.push_back(string_member(c, "name"));
  unready.insert(unready.end(), containers.begin(), containers.end());
  std::string host_ip =
      "192.168.0." +
      std::to_string(2 + std::hash<std::string>{}(string_at(pod, "spec.nodeName")) % 200);
  std::vector<std::pair<std::string, Json>> members = {
      {"phase", str("Pending")},
      {"conditions",
       arr({condition("PodReadyToStartContainers", "False"),
            inits.empty() ? condition("Initialized", "True")
                          : condition("Initialized", "False", "ContainersNotInitialized",
                                      "containers with incomplete status: " + bracketed(inits)),
            condition("Ready", "False", "ContainersNotReady",
                      "containers with unready status: " + bracketed(unready)),
            condition("ContainersReady", "False", "ContainersNotReady",
                      "containers with unready status: " + bracketed(unready)),
            condition("PodScheduled", "True")})},
      {"hostIP", str(host_ip)},
      {"hostIPs", arr({obj({{"ip", str(host_ip)}})})},
      {"startTime", str(now)}};
  if (!inits.empty())
    members.emplace_back("initContainerStatuses", arr(statuses("spec.initContainers")));
  members.emplace_back("containerStatuses", arr(statuses("spec.containers")));
  members.emplace_back("qosClass", str("Burstable"));
  auto doc = parse_json(obj(members).text);
  return Value(*doc, alloc);
}

std::vector<std::pair<std::string, std::string>> required_config_maps(const Value& pod) {
  std::vector<std::pair<std::string, std::string>> out;
  const Value* volumes = find_path(pod, "spec.volumes");
  if (!volumes || !volumes->IsArray())
    return out;
  for (const auto& volume : volumes->GetArray()) {
    const Value* cm = member(volume, "configMap");
    if (!cm || !cm->IsObject())
      continue;
    const Value* optional = member(*cm, "optional");
    if (optional && optional->IsBool() && optional->GetBool())
      continue;
    out.emplace_back(string_member(volume, "name"), string_member(*cm, "name"));
  }
  return out;
}

int spec_replicas(const Value& object) {
  const Value* r = find_path(object, "spec.replicas");
  return r && r->IsInt() ? std::max(0, r->GetInt()) : 1;
}

long long generation_of(const Value& object) {
  const Value* g = find_path(object, "metadata.generation");
  return g && g->IsInt64() ? g->GetInt64() : 1;
}

} // namespace sim::mesh
