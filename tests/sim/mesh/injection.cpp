#include "mesh/injection.h"

#include "mesh/json_text.h"
#include "server/json_util.h"

#include <algorithm>

namespace sim::mesh {

namespace {

using rapidjson::Value;

bool rules_cover_pod_create(const Value& webhook) {
  const Value* rules = member(webhook, "rules");
  if (!rules || !rules->IsArray())
    return false;
  auto has = [](const Value* list, const char* wanted) {
    if (!list || !list->IsArray())
      return false;
    return std::any_of(list->Begin(), list->End(), [&](const Value& v) {
      return v.IsString() &&
             (std::string_view(v.GetString()) == wanted || std::string_view(v.GetString()) == "*");
    });
  };
  return std::any_of(rules->Begin(), rules->End(), [&](const Value& rule) {
    return has(member(rule, "operations"), "CREATE") && has(member(rule, "resources"), "pods");
  });
}

Value parse_into(const std::string& text, rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Document fragment;
  fragment.Parse(text.c_str(), text.size());
  return Value(fragment, alloc);
}

Value& ensure_array(Value& object, const char* key, rapidjson::Document::AllocatorType& alloc) {
  Value* existing = member(object, key);
  if (existing && existing->IsArray())
    return *existing;
  set_member(object, key, Value(rapidjson::kArrayType), alloc);
  return *member(object, key);
}

std::string proxy_container(const SidecarSpec& spec, const std::string& pod_ns) {
  Json env = arr({obj({{"name", str("PILOT_CERT_PROVIDER")}, {"value", str("istiod")}}),
                  obj({{"name", str("CA_ADDR")}, {"value", str(spec.discovery_address)}}),
                  obj({{"name", str("POD_NAMESPACE")}, {"value", str(pod_ns)}}),
                  obj({{"name", str("ISTIO_META_MESH_ID")}, {"value", str("cluster.local")}})});
  std::vector<std::pair<std::string, Json>> members = {
      {"name", str("istio-proxy")},
      {"image", str(spec.proxy_image)},
      {"args", str_array({"proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local",
                          "--proxyLogLevel=warning", "--proxyComponentLogLevel=misc:error",
                          "--log_output_level=default:info"})},
      {"ports", arr({obj({{"containerPort", num(15090)},
                          {"name", str("http-envoy-prom")},
                          {"protocol", str("TCP")}})})},
      {"env", env},
      {"readinessProbe",
       obj({{"httpGet", obj({{"path", str("/healthz/ready")}, {"port", num(15021)}})},
            {"periodSeconds", num(15)},
            {"failureThreshold", num(4)}})},
      {"resources", obj({{"requests", obj({{"cpu", str("100m")}, {"memory", str("128Mi")}})}})},
      {"securityContext",
       obj({{"runAsUser", num(1337)}, {"runAsGroup", num(1337)}, {"runAsNonRoot", boolean(true)}})},
      {"volumeMounts",
       arr({obj({{"mountPath", str("/var/run/secrets/workload-spiffe-uds")},
                 {"name", str("workload-socket")}}),
            obj({{"mountPath", str("/var/run/secrets/istio")}, {"name", str("istiod-ca-cert")}}),
            obj({{"mountPath", str("/etc/istio/proxy")}, {"name", str("istio-envoy")}})})}};
  if (spec.native)
    members.emplace_back("restartPolicy", str("Always"));
  return obj(members).text;
}

std::string init_container(const SidecarSpec& spec) {
  return obj({{"name", str("istio-init")},
              {"image", str(spec.proxy_image)},
              {"args",
               str_array({"istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m",
                          "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"})},
              {"securityContext",
               obj({{"capabilities", obj({{"add", str_array({"NET_ADMIN", "NET_RAW"})}})},
                    {"runAsUser", num(0)},
                    {"runAsNonRoot", boolean(false)}})}})
      .text;
}

const char* const kVolumes[] = {"workload-socket", "credential-socket", "workload-certs",
                                "istio-envoy",     "istio-data",        "istio-podinfo",
                                "istio-token",     "istiod-ca-cert"};

std::string volume(const std::string& name) {
  if (name == "istiod-ca-cert")
    return obj({{"name", str(name)}, {"configMap", obj({{"name", str("istio-ca-root-cert")}})}})
        .text;
  if (name == "istio-token")
    return obj({{"name", str(name)},
                {"projected",
                 obj({{"sources", arr({obj({{"serviceAccountToken",
                                             obj({{"audience", str("istio-ca")},
                                                  {"expirationSeconds", num(43200)},
                                                  {"path", str("istio-token")}})}})})}})}})
        .text;
  return obj({{"name", str(name)}, {"emptyDir", obj({})}}).text;
}

bool has_container(const Value& list, const char* name) {
  return list.IsArray() && std::any_of(list.Begin(), list.End(), [&](const Value& c) {
           return string_member(c, "name") == name;
         });
}

} // namespace

std::vector<WebhookCall> webhooks_for_pod(const std::vector<std::string>& configurations,
                                          const LabelMap& namespace_labels,
                                          const LabelMap& pod_labels) {
  std::vector<std::pair<std::string, std::vector<WebhookCall>>> by_name;
  for (const auto& text : configurations) {
    auto doc = parse_json(text);
    if (!doc || !doc->IsObject())
      continue;
    std::string config_name = string_at(*doc, "metadata.name");
    LabelMap config_labels = labels_of(*doc);
    std::vector<WebhookCall> calls;
    const Value* webhooks = member(*doc, "webhooks");
    if (!webhooks || !webhooks->IsArray())
      continue;
    for (const auto& hook : webhooks->GetArray()) {
      if (!rules_cover_pod_create(hook))
        continue;
      if (!selector_matches(member(hook, "namespaceSelector"), namespace_labels))
        continue;
      if (!selector_matches(member(hook, "objectSelector"), pod_labels))
        continue;
      WebhookCall call;
      call.configuration = config_name;
      call.webhook = string_member(hook, "name");
      call.revision =
          config_labels.count("istio.io/rev") ? config_labels.at("istio.io/rev") : "default";
      call.service = string_at(hook, "clientConfig.service.name");
      call.service_ns = string_at(hook, "clientConfig.service.namespace");
      call.path = string_at(hook, "clientConfig.service.path");
      call.fail_closed = string_member(hook, "failurePolicy") != "Ignore";
      calls.push_back(std::move(call));
    }
    by_name.emplace_back(config_name, std::move(calls));
  }
  std::sort(by_name.begin(), by_name.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<WebhookCall> out;
  for (auto& [name, calls] : by_name)
    for (auto& call : calls)
      out.push_back(std::move(call));
  return out;
}

std::string webhook_failure(const WebhookCall& call, const std::string& reason) {
  return "failed calling webhook \"" + call.webhook +
         "\": failed to call webhook: Post \"https://" + call.service + "." + call.service_ns +
         ".svc:443" + (call.path.empty() ? "/inject" : call.path) + "?timeout=10s\": " + reason;
}

bool already_injected(const Value& pod) {
  const Value* annotations = find_path(pod, "metadata.annotations");
  return annotations && member(*annotations, "sidecar.istio.io/status");
}

void inject_sidecar(rapidjson::Document& pod, const SidecarSpec& spec) {
  auto& alloc = pod.GetAllocator();
  ensure_object(pod, "metadata", alloc);
  ensure_object(pod, "spec", alloc);
  auto& metadata = pod["metadata"];
  auto& pod_spec = pod["spec"];
  std::string ns = string_member(metadata, "namespace");
  // Create every array first: adding a member to pod_spec may move the others.
  ensure_array(pod_spec, "containers", alloc);
  bool gateway = has_container(pod_spec["containers"], "istio-proxy");
  if (!gateway) {
    ensure_array(pod_spec, "initContainers", alloc);
    ensure_array(pod_spec, "volumes", alloc);
  }
  auto& containers = pod_spec["containers"];
  std::string first_app = containers.Size() > 0 ? string_member(containers[0], "name") : "";

  std::vector<std::string> init_names, container_names = {"istio-proxy"}, volume_names;
  if (gateway) {
    for (auto& c : containers.GetArray())
      if (string_member(c, "name") == "istio-proxy")
        set_string(c, "image", spec.proxy_image, alloc);
  } else {
    auto& inits = pod_spec["initContainers"];
    inits.PushBack(parse_into(init_container(spec), alloc), alloc);
    init_names.push_back("istio-init");
    if (spec.native) {
      inits.PushBack(parse_into(proxy_container(spec, ns), alloc), alloc);
      init_names.push_back("istio-proxy");
      container_names.clear();
    } else {
      containers.PushBack(parse_into(proxy_container(spec, ns), alloc), alloc);
    }
    auto& volumes = pod_spec["volumes"];
    for (const char* name : kVolumes) {
      volumes.PushBack(parse_into(volume(name), alloc), alloc);
      volume_names.emplace_back(name);
    }
  }

  ensure_object(metadata, "labels", alloc);
  auto& annotations = ensure_object(metadata, "annotations", alloc);
  Json status =
      obj({{"initContainers", init_names.empty() ? null_json() : str_array(init_names)},
           {"containers", container_names.empty() ? null_json() : str_array(container_names)},
           {"volumes", volume_names.empty() ? null_json() : str_array(volume_names)},
           {"imagePullSecrets", null_json()},
           {"revision", str(spec.revision)}});
  set_string(annotations, "istio.io/rev", spec.revision, alloc);
  set_string(annotations, "sidecar.istio.io/status", status.text, alloc);
  set_string(annotations, kSimCaModeAnnotation, spec.ca_mode, alloc);
  if (!gateway && !first_app.empty()) {
    set_string(annotations, "kubectl.kubernetes.io/default-container", first_app, alloc);
    set_string(annotations, "kubectl.kubernetes.io/default-logs-container", first_app, alloc);
  }
  set_string(annotations, "prometheus.io/scrape", "true", alloc);
  set_string(annotations, "prometheus.io/port", "15020", alloc);
  set_string(annotations, "prometheus.io/path", "/stats/prometheus", alloc);

  auto& labels = ensure_object(metadata, "labels", alloc);
  LabelMap current = labels_of(pod);
  std::string canonical = current.count("app.kubernetes.io/name")
                              ? current["app.kubernetes.io/name"]
                          : current.count("app") ? current["app"]
                                                 : string_member(metadata, "generateName");
  std::string canonical_rev = current.count("app.kubernetes.io/version")
                                  ? current["app.kubernetes.io/version"]
                              : current.count("version") ? current["version"]
                                                         : "latest";
  set_string(labels, "service.istio.io/canonical-name", canonical, alloc);
  set_string(labels, "service.istio.io/canonical-revision", canonical_rev, alloc);
  set_string(labels, "security.istio.io/tlsMode", "istio", alloc);
}

} // namespace sim::mesh
