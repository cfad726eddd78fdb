// The kubelet's part of Controllers: starting a pod once its volumes mount. A configMap volume
// whose ConfigMap does not exist fails to mount (a sidecar's istiod-ca-cert without the
// namespace's istio-ca-root-cert), so the pod stays Pending with a FailedMount event, and starts
// when the ConfigMap is created. A running pod keeps running when its ConfigMap is deleted.
#include "mesh/controller_view.h"
#include "mesh/json_text.h"
#include "mesh/objects.h"
#include "server/json_util.h"

#include <chrono>
#include <cstdio>

namespace sim::mesh {

using rapidjson::Value;

namespace {

bool is_unmounted(const Value& pod) {
  return string_at(pod, "status.phase") == "Pending" &&
         find_path(pod, "status.containerStatuses") && !find_path(pod, "status.podIP");
}

} // namespace

void Controllers::mark_ready(const std::string& ns, const std::string& pod,
                             const std::string& uid) {
  auto current = store_.get("pods", ns, pod);
  auto doc = current ? parse_json(*current) : std::nullopt;
  if (!doc || string_at(*doc, "metadata.uid") != uid || pod_is_ready(*doc))
    return;
  auto config_maps = required_config_maps(*doc);
  if (!config_maps.empty()) {
    // Registered before the look-up: a ConfigMap created from here on retries the pod.
    {
      std::lock_guard lock(mu_);
      unmounted_[ns][pod] = uid;
    }
    std::vector<std::pair<std::string, std::string>> missing;
    for (const auto& entry : config_maps)
      if (!store_.get("configmaps", ns, entry.second))
        missing.push_back(entry);
    if (!missing.empty()) {
      store_.update(
          "pods", ns, pod,
          [&](rapidjson::Document& d) {
            if (string_at(d, "metadata.uid") != uid || pod_is_ready(d) || is_unmounted(d))
              return false;
            set_member(d, "status", unmounted_status(d, d.GetAllocator()), d.GetAllocator());
            return true;
          },
          Origin::controller);
      for (const auto& [volume, config_map] : missing)
        record_failed_mount(*doc, volume, config_map);
      return;
    }
    std::lock_guard lock(mu_);
    unmounted_[ns].erase(pod);
  }
  std::string ip;
  {
    std::lock_guard lock(mu_);
    unsigned n = ++ip_counter_;
    ip = "10.244." + std::to_string((n / 250) % 250) + "." + std::to_string(n % 250 + 2);
  }
  store_.update(
      "pods", ns, pod,
      [&](rapidjson::Document& d) {
        if (string_at(d, "metadata.uid") != uid || pod_is_ready(d))
          return false;
        const Value* a = find_path(d, "metadata.annotations");
        bool never_ready = a && member(*a, kNeverReadyAnnotation);
        set_member(d, "status", running_status(d, ip, !never_ready, d.GetAllocator()),
                   d.GetAllocator());
        return true;
      },
      Origin::controller);
}

void Controllers::retry_mounts(const std::string& ns) {
  std::map<std::string, std::string> pods;
  int delay = 0;
  {
    std::lock_guard lock(mu_);
    auto it = unmounted_.find(ns);
    if (it == unmounted_.end())
      return;
    pods.swap(it->second);
    unmounted_.erase(it);
    delay = settling_ ? 0 : config_.readiness_delay_ms;
  }
  for (const auto& [pod, uid] : pods)
    schedule(Clock::now() + std::chrono::milliseconds(delay), ns, pod, uid);
}

// The Warning event kubelet records (`kubectl describe pod` lists it under Events).
void Controllers::record_failed_mount(const Value& pod, const std::string& volume,
                                      const std::string& config_map) {
  const std::string ns = string_at(pod, "metadata.namespace");
  const std::string name = string_at(pod, "metadata.name");
  const std::string node = string_at(pod, "spec.nodeName");
  unsigned serial = 0;
  {
    std::lock_guard lock(mu_);
    serial = ++event_counter_;
  }
  // Kubelet names events <object>.<UnixNano in hex>; the serial keeps names unique.
  char suffix[32];
  std::snprintf(
      suffix, sizeof suffix, "%llx",
      static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count()) +
          serial);
  const std::string now = now_rfc3339();
  Json event = obj({{"apiVersion", str("v1")},
                    {"kind", str("Event")},
                    {"metadata", obj({{"name", str(name + "." + suffix)}, {"namespace", str(ns)}})},
                    {"involvedObject",
                     obj({{"kind", str("Pod")},
                          {"namespace", str(ns)},
                          {"name", str(name)},
                          {"uid", str(string_at(pod, "metadata.uid"))},
                          {"apiVersion", str("v1")},
                          {"resourceVersion", str(string_at(pod, "metadata.resourceVersion"))}})},
                    {"reason", str("FailedMount")},
                    {"message", str("MountVolume.SetUp failed for volume \"" + volume +
                                    "\" : configmap \"" + config_map + "\" not found")},
                    {"source", obj({{"component", str("kubelet")}, {"host", str(node)}})},
                    {"firstTimestamp", str(now)},
                    {"lastTimestamp", str(now)},
                    {"count", num(1)},
                    {"type", str("Warning")},
                    {"eventTime", null_json()},
                    {"reportingComponent", str("kubelet")},
                    {"reportingInstance", str(node)}});
  store_.create("events", ns, event.text, Origin::controller);
}

} // namespace sim::mesh
