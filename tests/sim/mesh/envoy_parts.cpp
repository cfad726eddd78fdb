#include "mesh/envoy_parts.h"

#include <chrono>
#include <ctime>

namespace sim::mesh::envoy {

const std::string& last_updated() {
  static const std::string stamp = [] {
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.042Z", &tm);
    return std::string(buf);
  }();
  return stamp;
}

std::string version_info() {
  return last_updated().substr(0, 19) + "Z/17";
}

Json sds_config() {
  return obj({{"api_config_source",
               obj({{"api_type", str("GRPC")},
                    {"grpc_services",
                     arr({obj({{"envoy_grpc", obj({{"cluster_name", str("sds-grpc")}})}})})},
                    {"set_node_on_first_message_only", boolean(true)},
                    {"transport_api_version", str("V3")}})},
              {"initial_fetch_timeout", str("0s")},
              {"resource_api_version", str("V3")}});
}

Json common_tls_context(const std::vector<Json>& san_matchers,
                        const std::vector<std::string>& alpn) {
  return obj(
      {{"tls_params", obj({{"tls_minimum_protocol_version", str("TLSv1_2")},
                           {"tls_maximum_protocol_version", str("TLSv1_3")}})},
       {"alpn_protocols", str_array(alpn)},
       {"tls_certificate_sds_secret_configs",
        arr({obj({{"name", str("default")}, {"sds_config", sds_config()}})})},
       {"combined_validation_context",
        obj({{"default_validation_context", obj({{"match_subject_alt_names", arr(san_matchers)}})},
             {"validation_context_sds_secret_config",
              obj({{"name", str("ROOTCA")}, {"sds_config", sds_config()}})}})}});
}

Json socket_address(const std::string& address, int port) {
  return obj({{"socket_address", obj({{"address", str(address)}, {"port_value", num(port)}})}});
}

Json static_cluster(const std::string& name, const std::string& address, int port,
                    const std::string& timeout) {
  Json endpoint = obj({{"endpoint", obj({{"address", socket_address(address, port)}})}});
  return obj(
      {{"cluster", obj({{"@type", str("type.googleapis.com/envoy.config.cluster.v3.Cluster")},
                        {"name", str(name)},
                        {"type", str("STATIC")},
                        {"connect_timeout", str(timeout)},
                        {"load_assignment",
                         obj({{"cluster_name", str(name)},
                              {"endpoints", arr({obj({{"lb_endpoints", arr({endpoint})}})})}})}})},
       {"last_updated", str(last_updated())}});
}

Json circuit_breakers() {
  return obj({{"thresholds", arr({obj({{"max_connections", num(4294967295LL)},
                                       {"max_pending_requests", num(4294967295LL)},
                                       {"max_requests", num(4294967295LL)},
                                       {"max_retries", num(4294967295LL)},
                                       {"track_remaining", boolean(true)}})})}});
}

} // namespace sim::mesh::envoy
