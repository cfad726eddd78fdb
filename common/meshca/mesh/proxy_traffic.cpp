#include "meshca/mesh/proxy_traffic.h"

#include "meshca/mesh/prometheus_text.h"

namespace meshca {
namespace {

// A TLS failure to an upstream is a connection failure: Envoy flags the request UF (upstream
// connection failure) and, once Istio's default retries are spent, URX. Flags are a
// comma-separated list ("UF,URX").
bool connection_failed(std::string_view flags) {
  while (!flags.empty()) {
    const std::size_t comma = flags.find(',');
    const std::string_view flag = flags.substr(0, comma);
    if (flag == "UF" || flag == "URX")
      return true;
    flags = comma == std::string_view::npos ? std::string_view() : flags.substr(comma + 1);
  }
  return false;
}

double* tls_field(TlsCounters& tls, std::string_view counter) {
  if (counter == "handshake")
    return &tls.handshake;
  if (counter == "connection_error")
    return &tls.connection_error;
  if (counter == "fail_verify_error")
    return &tls.fail_verify_error;
  if (counter == "fail_verify_san")
    return &tls.fail_verify_san;
  if (counter == "fail_verify_no_cert")
    return &tls.fail_verify_no_cert;
  return nullptr;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// pilot-agent's counters of a proxy that cannot reach or verify istiod (docs/traffic.md): the
// xDS stream dropped with an error (a root the agent does not trust ends there), the dial
// failed, or a certificate request (CSR) to the CA failed. Exported with the istio_agent_ prefix
// and no _total suffix.
bool is_istiod_failure(const prometheus::Sample& sample) {
  if (sample.name == "istio_agent_istiod_connection_terminations")
    return sample.label("type") == "error";
  if (sample.name == "istio_agent_num_failed_outgoing_requests")
    return sample.label("request_type") == "csr";
  return sample.name == "istio_agent_istiod_connection_failures";
}

void add_istio_metric(const prometheus::Sample& sample, ProxyTraffic& traffic) {
  if (sample.label("reporter") != "source") {
    // The server's view of a request it took: counted by its client, but it names this proxy's
    // own workload, which a pod that calls nobody has no other series for.
    if (traffic.workload.empty() && sample.label("reporter") == "destination") {
      traffic.workload = sample.label("destination_workload");
      traffic.workload_namespace = sample.label("destination_workload_namespace");
      traffic.workload_from_destination = true;
    }
    return;
  }
  const std::string service(sample.label("destination_service"));
  if (service.empty())
    return;
  if (traffic.workload.empty() || traffic.workload_from_destination) {
    traffic.workload_from_destination = false;
    traffic.workload = sample.label("source_workload");
    traffic.workload_namespace = sample.label("source_workload_namespace");
  }
  OutboundCounters& out = traffic.outbound[service];
  const bool failed = connection_failed(sample.label("response_flags"));
  if (sample.name == "istio_requests_total") {
    out.requests += sample.value;
    if (failed)
      out.failed_requests += sample.value;
  } else {
    out.connections += sample.value;
    if (failed)
      out.failed_connections += sample.value;
  }
}

void add_envoy_tls(const prometheus::Sample& sample, ProxyTraffic& traffic) {
  constexpr std::string_view kCluster = "envoy_cluster_ssl_";
  constexpr std::string_view kListener = "envoy_listener_ssl_";
  if (starts_with(sample.name, kCluster)) {
    const std::string_view service = outbound_service(sample.label("cluster_name"));
    if (service.empty())
      return; // xds-grpc, inbound and passthrough clusters carry no service-to-service TLS
    traffic.tls_counters = true;
    OutboundCounters& out = traffic.outbound[std::string(service)];
    out.has_tls = true;
    if (double* field = tls_field(out.tls, sample.name.substr(kCluster.size())))
      *field += sample.value;
  } else if (starts_with(sample.name, kListener)) {
    traffic.tls_counters = true;
    if (double* field = tls_field(traffic.inbound, sample.name.substr(kListener.size())))
      *field += sample.value;
  }
}

} // namespace

std::string_view outbound_service(std::string_view cluster_name) {
  // Istio names outbound clusters DIRECTION|PORT|SUBSET|HOST.
  if (!starts_with(cluster_name, "outbound|"))
    return {};
  const std::size_t host = cluster_name.rfind('|');
  return host == std::string_view::npos ? std::string_view() : cluster_name.substr(host + 1);
}

std::string short_service_name(std::string_view fqdn) {
  constexpr std::string_view kSuffix = ".svc.cluster.local";
  if (fqdn.size() > kSuffix.size() && fqdn.substr(fqdn.size() - kSuffix.size()) == kSuffix)
    fqdn.remove_suffix(kSuffix.size());
  return std::string(fqdn);
}

ProxyTraffic read_proxy_traffic(std::string_view prometheus_text) {
  ProxyTraffic traffic;
  traffic.unreadable_lines =
      prometheus::for_each_sample(prometheus_text, [&](const prometheus::Sample& sample) {
        ++traffic.samples;
        if (sample.name == "istio_requests_total" ||
            sample.name == "istio_tcp_connections_opened_total") {
          add_istio_metric(sample, traffic);
        } else if (starts_with(sample.name, "envoy_")) {
          add_envoy_tls(sample, traffic);
        } else if (starts_with(sample.name, "istio_agent_")) {
          traffic.agent_metrics = true;
          if (is_istiod_failure(sample))
            traffic.istiod_failures += sample.value;
        }
      });
  return traffic;
}

} // namespace meshca
