#include "mesh/istio_labels.h"

namespace sim::mesh {

namespace {
std::string first_label(const LabelMap& labels, std::initializer_list<const char*> keys,
                        const std::string& fallback) {
  for (const char* key : keys)
    if (auto it = labels.find(key); it != labels.end() && !it->second.empty())
      return it->second;
  return fallback;
}
} // namespace

IstioPeer istio_peer(const TrafficPod& pod) {
  const auto& l = pod.labels;
  return {pod.workload,
          pod.ns,
          pod.principal,
          first_label(l, {"service.istio.io/canonical-name", "app.kubernetes.io/name", "app"},
                      pod.workload),
          first_label(
              l, {"service.istio.io/canonical-revision", "app.kubernetes.io/version", "version"},
              "latest"),
          first_label(l, {"app"}, "unknown"),
          first_label(l, {"version"}, "unknown"),
          "Kubernetes"};
}

IstioPeer unknown_peer() {
  return {"unknown", "unknown", "unknown", "unknown", "unknown", "unknown", "unknown", "unknown"};
}

StatTags istio_tags(const IstioPeer& src, const IstioPeer& dst, const IstioCall& call) {
  bool http = call.protocol == TrafficProtocol::http;
  StatTags tags = {
      {"reporter", call.destination_reporter ? "destination" : "source"},
      {"source_workload", src.workload},
      {"source_canonical_service", src.canonical_service},
      {"source_canonical_revision", src.canonical_revision},
      {"source_workload_namespace", src.ns},
      {"source_principal", src.principal},
      {"source_app", src.app},
      {"source_version", src.version},
      {"source_cluster", src.cluster},
      {"destination_workload", dst.workload},
      {"destination_workload_namespace", dst.ns},
      {"destination_principal", dst.principal},
      {"destination_app", dst.app},
      {"destination_version", dst.version},
      {"destination_service", call.service + "." + call.service_ns + ".svc.cluster.local"},
      {"destination_service_name", call.service},
      {"destination_service_namespace", call.service_ns},
      {"destination_canonical_service", dst.canonical_service},
      {"destination_canonical_revision", dst.canonical_revision},
      {"destination_cluster", dst.cluster},
      {"request_protocol", http ? "http" : "tcp"}};
  if (http) {
    tags.emplace_back("response_code", std::string(call.response_code));
    tags.emplace_back("grpc_response_status", "");
  }
  tags.emplace_back("response_flags", std::string(call.response_flags));
  // Only the server side knows whether the connection was mutual TLS.
  tags.emplace_back("connection_security_policy",
                    call.destination_reporter ? "mutual_tls" : "unknown");
  return tags;
}

} // namespace sim::mesh
