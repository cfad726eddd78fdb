#pragma once
// Which pods of a `kubectl get pods -o json` list run an Istio sidecar, and which revision
// injected each (DESIGN.md, check-root "Scope").

#include "meshca/util/result.h"

#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

struct SidecarPod {
  std::string ns;
  std::string name;
  std::string revision;        // empty when the pod names none (a default, unrevisioned install)
  bool native_sidecar = false; // istio-proxy runs as an init container with restartPolicy Always
  bool gateway = false;        // the proxy is the pod's only workload (istio-proxy as a router)
  std::string owner_kind;      // kind of the first ownerReference, "" for a bare pod
  std::string owner_name;
  std::string uid; // tells the listed pod from a later one of the same name
};

struct PodSelection {
  std::vector<SidecarPod> sidecars;   // Running pods with an istio-proxy, sorted by namespace, name
  std::size_t without_sidecar = 0;    // pods that run no istio-proxy
  std::size_t not_running = 0;        // sidecar pods whose phase is not Running
  std::size_t excluded_namespace = 0; // pods in kube-system, kube-public, kube-node-lease
};

// The namespaces an all-namespace scan leaves out: they never carry mesh workloads.
bool is_system_namespace(const std::string& ns);

// The revision that injected the pod: the `istio.io/rev` annotation, else the `revision` in the
// `sidecar.istio.io/status` annotation, else the `istio.io/rev` label (gateways carry only that).
std::string pod_revision(const rapidjson::Value& pod);

// True when the pod runs an istio-proxy container (a sidecar, a native sidecar, or a gateway).
bool has_istio_proxy(const rapidjson::Value& pod, bool* native_sidecar = nullptr);

// Reads a PodList (`kind: List` or `PodList`). `skip_system_namespaces` applies the all-namespace
// exclusions. Fails (bad_input) when the document is not a list of pods.
Result<PodSelection> select_sidecar_pods(const rapidjson::Value& pod_list,
                                         bool skip_system_namespaces);

} // namespace meshca
