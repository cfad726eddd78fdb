#pragma once
// What one sidecar's own counters say about the mTLS connections it made and took: Istio's
// standard metrics (reporter="source": this proxy is the client), Envoy's TLS counters where the
// proxy's stats matcher includes them, and pilot-agent's counters of its connection to istiod.
// Sources: docs/traffic.md.

#include <map>
#include <string>
#include <string_view>

namespace meshca {

// Envoy's `ssl.*` counters of one outbound cluster or of the inbound listener.
struct TlsCounters {
  double handshake = 0;
  double connection_error = 0;
  double fail_verify_error = 0;   // the peer's chain did not verify against our roots
  double fail_verify_san = 0;     // the peer's SAN (its SPIFFE ID) was not accepted
  double fail_verify_no_cert = 0; // the peer sent no certificate

  double failures() const { return connection_error + fail_verify_error + fail_verify_san; }
};

// One destination service as the client sees it.
struct OutboundCounters {
  double requests = 0;           // istio_requests_total, reporter="source"
  double failed_requests = 0;    // ... of which the upstream connection failed (UF / URX)
  double connections = 0;        // istio_tcp_connections_opened_total, reporter="source"
  double failed_connections = 0; // ... of which the upstream connection failed (UF)
  TlsCounters tls;               // cluster.outbound|PORT||SERVICE.ssl.*, summed over ports
  bool has_tls = false;
};

struct ProxyTraffic {
  // The proxy's own workload, as its metrics label it (source_workload / _namespace, else the
  // destination_workload of requests it took); empty when it has no Istio metric at all.
  std::string workload;
  std::string workload_namespace;
  bool workload_from_destination = false;           // named by a request it took (it sent none yet)
  std::map<std::string, OutboundCounters> outbound; // by destination service (its FQDN)
  TlsCounters inbound;        // listener.*.ssl.* summed: the connections this proxy accepted
  bool tls_counters = false;  // the proxy emits Envoy's ssl counters at all
  double istiod_failures = 0; // pilot-agent: failed connections to istiod (xDS and CA)
  bool agent_metrics = false; // the agent's metrics were in the answer
  std::size_t samples = 0;
  std::size_t unreadable_lines = 0;
};

// Reads Envoy's (or pilot-agent's merged) Prometheus text; samples it does not know are skipped.
ProxyTraffic read_proxy_traffic(std::string_view prometheus_text);

// "outbound|9080||httpbin.backend.svc.cluster.local" → "httpbin.backend.svc.cluster.local";
// "" for a cluster that is not an outbound service (inbound, passthrough, xds-grpc, ...).
std::string_view outbound_service(std::string_view cluster_name);

// "httpbin.backend.svc.cluster.local" → "httpbin.backend"; other names are returned whole.
std::string short_service_name(std::string_view fqdn);

} // namespace meshca
