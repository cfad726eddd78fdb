#pragma once
// Istio sidecar injection as the API server and istiod do it together:
// - which MutatingWebhookConfigurations apply to a new pod (configurations in name order, each
//   webhook's rules, namespaceSelector and objectSelector), and
// - what istiod's injector does to the pod (istio-proxy container or native sidecar, istio-init,
//   volumes, the istio.io/rev and sidecar.istio.io/status annotations, canonical labels).

#include "mesh/label_selector.h"

#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace sim::mesh {

// One webhook the API server would call for a pod.
struct WebhookCall {
  std::string configuration; // istio-sidecar-injector-asm-1-19
  std::string webhook;       // rev.namespace.sidecar-injector.istio.io
  std::string revision;      // the configuration's istio.io/rev label
  std::string service;       // clientConfig.service.name
  std::string service_ns;
  std::string path;        // clientConfig.service.path
  bool fail_closed = true; // failurePolicy Fail (the default)
};

// The webhooks that apply to a pod being created, in call order. `configurations` are
// MutatingWebhookConfiguration JSON texts in any order; unparsable ones are skipped.
std::vector<WebhookCall> webhooks_for_pod(const std::vector<std::string>& configurations,
                                          const LabelMap& namespace_labels,
                                          const LabelMap& pod_labels);

// What the calling API server says when the webhook's Service cannot take the call.
std::string webhook_failure(const WebhookCall& call, const std::string& reason);

struct SidecarSpec {
  std::string revision;
  std::string proxy_image;       // gcr.io/gke-release/asm/proxyv2:1.19.10-asm.33
  bool native = false;           // istio-proxy in initContainers with restartPolicy Always
  std::string discovery_address; // istiod-REV.istio-system.svc:15012
  std::string ca_mode;           // recorded in the kSimCaModeAnnotation annotation
};

// Annotation where the simulator records the CA mode a pod was injected under (its config
// dump follows it for the pod's life, as a real sidecar keeps the bundle it started with).
inline constexpr const char* kSimCaModeAnnotation = "meshca-sim/ca-mode";

// True when the pod already carries sidecar.istio.io/status (istiod then leaves it alone).
bool already_injected(const rapidjson::Value& pod);

// Mutates `pod` as istiod's injector would. A pod with an `istio-proxy` container already in its
// spec (a gateway, `image: auto`) gets the gateway template: the image is filled in, nothing added.
void inject_sidecar(rapidjson::Document& pod, const SidecarSpec& spec);

} // namespace sim::mesh
