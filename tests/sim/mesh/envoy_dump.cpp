#include "mesh/envoy_dump.h"

#include "mesh/envoy_parts.h"
#include "mesh/json_text.h"

#include <array>

namespace sim::mesh {

using namespace envoy;

namespace {

constexpr std::array<int, 8> kPorts{9080, 80, 443, 8080, 3000, 5432, 6379, 15021};
constexpr std::array<const char*, 3> kSubsets{"", "v1", "v2"};

struct Outbound {
  std::string name, host;
  const MeshService* service;
};

std::vector<Outbound> outbound_clusters(const std::vector<MeshService>& services, int count) {
  std::vector<Outbound> out;
  if (services.empty())
    return out;
  for (std::size_t round = 0; static_cast<int>(out.size()) < count; ++round) {
    int port = kPorts[round % kPorts.size()];
    const char* subset = kSubsets[(round / kPorts.size()) % kSubsets.size()];
    for (const auto& svc : services) {
      if (static_cast<int>(out.size()) >= count)
        break;
      std::string host = svc.name + "." + svc.ns + ".svc.cluster.local";
      std::string suffix =
          round >= kPorts.size() * kSubsets.size() ? "-" + std::to_string(round) : "";
      out.push_back(
          {"outbound|" + std::to_string(port) + "|" + subset + suffix + "|" + host, host, &svc});
    }
  }
  return out;
}

Json outbound_cluster(const Outbound& c, const std::vector<std::string>& trust_domains) {
  std::vector<Json> sans;
  for (const auto& td : trust_domains)
    sans.push_back(obj({{"exact", str("spiffe://" + td + "/ns/" + c.service->ns + "/sa/" +
                                      c.service->service_account)}}));
  Json tls =
      obj({{"name", str("envoy.transport_sockets.tls")},
           {"typed_config",
            obj({{"@type", str(std::string(kTls) + "UpstreamTlsContext")},
                 {"common_tls_context", common_tls_context(sans, {"istio-peer-exchange", "istio"})},
                 {"sni", str("outbound_." + c.name.substr(9))}})}});
  Json matches =
      arr({obj({{"name", str("tlsMode-istio")},
                {"match", obj({{"tlsMode", str("istio")}})},
                {"transport_socket", tls}}),
           obj({{"name", str("tlsMode-disabled")},
                {"match", obj({})},
                {"transport_socket",
                 obj({{"name", str("envoy.transport_sockets.raw_buffer")},
                      {"typed_config", obj({{"@type", str("type.googleapis.com/"
                                                          "envoy.extensions.transport_sockets.raw_"
                                                          "buffer.v3.RawBuffer")}})}})}})});
  Json metadata = obj(
      {{"filter_metadata",
        obj({{"istio", obj({{"services", arr({obj({{"host", str(c.host)},
                                                   {"name", str(c.service->name)},
                                                   {"namespace", str(c.service->ns)}})})}})}})}});
  Json cluster = obj(
      {{"@type", str("type.googleapis.com/envoy.config.cluster.v3.Cluster")},
       {"name", str(c.name)},
       {"type", str("EDS")},
       {"eds_cluster_config", obj({{"eds_config", obj({{"ads", obj({})},
                                                       {"initial_fetch_timeout", str("0s")},
                                                       {"resource_api_version", str("V3")}})},
                                   {"service_name", str(c.name)}})},
       {"connect_timeout", str("10s")},
       {"lb_policy", str("LEAST_REQUEST")},
       {"circuit_breakers", circuit_breakers()},
       {"metadata", metadata},
       {"common_lb_config", obj({{"locality_weighted_lb_config", obj({})}})},
       {"filters",
        arr({obj(
            {{"name", str("istio.metadata_exchange")},
             {"typed_config",
              obj({{"@type", str("type.googleapis.com/udpa.type.v1.TypedStruct")},
                   {"type_url",
                    str("type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange")},
                   {"value", obj({{"protocol", str("istio-peer-exchange")},
                                  {"enable_discovery", boolean(true)}})}})}})})},
       {"transport_socket_matches", matches}});
  return obj({{"version_info", str(version_info())},
              {"cluster", cluster},
              {"last_updated", str(last_updated())}});
}

Json special_cluster(const std::string& name, const std::string& type) {
  Json cluster =
      obj({{"@type", str("type.googleapis.com/envoy.config.cluster.v3.Cluster")},
           {"name", str(name)},
           {"type", str(type)},
           {"connect_timeout", str("10s")},
           {"lb_policy", str(type == "ORIGINAL_DST" ? "CLUSTER_PROVIDED" : "ROUND_ROBIN")},
           {"circuit_breakers", circuit_breakers()}});
  return obj({{"version_info", str(version_info())},
              {"cluster", cluster},
              {"last_updated", str(last_updated())}});
}

Json inbound_chain(const std::string& name, const std::vector<std::string>& trust_domains,
                   const std::vector<std::string>& alpn_match) {
  std::vector<Json> prefixes;
  for (const auto& td : trust_domains)
    prefixes.push_back(obj({{"prefix", str("spiffe://" + td + "/")}}));
  Json tls = obj({{"name", str("envoy.transport_sockets.tls")},
                  {"typed_config",
                   obj({{"@type", str(std::string(kTls) + "DownstreamTlsContext")},
                        {"common_tls_context",
                         common_tls_context(prefixes, {"istio-peer-exchange", "h2", "http/1.1"})},
                        {"require_client_certificate", boolean(true)}})}});
  Json match = obj(
      {{"prefix_ranges", arr({obj({{"address_prefix", str("0.0.0.0")}, {"prefix_len", num(0)}})})},
       {"transport_protocol", str("tls")},
       {"application_protocols", str_array(alpn_match)}});
  Json filter = obj(
      {{"name", str("envoy.filters.network.tcp_proxy")},
       {"typed_config",
        obj({{"@type",
              str("type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy")},
             {"stat_prefix", str("InboundPassthroughClusterIpv4")},
             {"cluster", str("InboundPassthroughClusterIpv4")}})}});
  return obj({{"filter_chain_match", match},
              {"filters", arr({filter})},
              {"transport_socket", tls},
              {"name", str(name)}});
}

Json listener(const std::string& name, const std::string& address, int port,
              const std::vector<Json>& chains, const std::string& direction) {
  Json l = obj({{"@type", str("type.googleapis.com/envoy.config.listener.v3.Listener")},
                {"name", str(name)},
                {"address", socket_address(address, port)},
                {"filter_chains", arr(chains)},
                {"traffic_direction", str(direction)}});
  return obj({{"name", str(name)},
              {"active_state", obj({{"version_info", str(version_info())},
                                    {"listener", l},
                                    {"last_updated", str(last_updated())}})}});
}

Json tcp_chain(const std::string& cluster) {
  return obj(
      {{"filters",
        arr({obj({{"name", str("envoy.filters.network.tcp_proxy")},
                  {"typed_config",
                   obj({{"@type", str("type.googleapis.com/"
                                      "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy")},
                        {"stat_prefix", str(cluster)},
                        {"cluster", str(cluster)}})}})})},
       {"name", str(cluster)}});
}
} // namespace

std::vector<std::string> outbound_cluster_names(const std::vector<MeshService>& services,
                                                int outbound_count) {
  std::vector<std::string> names;
  for (const auto& c : outbound_clusters(services, outbound_count))
    names.push_back(c.name);
  return names;
}

std::string clusters_config(const std::vector<MeshService>& services,
                            const std::vector<std::string>& trust_domains, int outbound_count,
                            const std::string& istiod_host) {
  std::vector<Json> statics = {static_cluster("agent", "127.0.0.1", 15020, "0.250s"),
                               static_cluster("prometheus_stats", "127.0.0.1", 15000, "0.250s")};
  std::vector<Json> dynamic = {special_cluster("BlackHoleCluster", "STATIC"),
                               special_cluster("InboundPassthroughClusterIpv4", "ORIGINAL_DST"),
                               special_cluster("PassthroughCluster", "ORIGINAL_DST")};
  std::vector<MeshService> with_istiod = services;
  if (!istiod_host.empty())
    with_istiod.insert(with_istiod.begin(), {istiod_host, "istio-system", istiod_host});
  for (const auto& c : outbound_clusters(with_istiod, outbound_count))
    dynamic.push_back(outbound_cluster(c, trust_domains));
  return obj({{"@type", str(std::string(kAdmin) + "ClustersConfigDump")},
              {"version_info", str(version_info())},
              {"static_clusters", arr(statics)},
              {"dynamic_active_clusters", arr(dynamic)}})
      .text;
}

std::string listeners_config(const std::vector<std::string>& trust_domains) {
  std::vector<Json> inbound_chains = {
      inbound_chain("virtualInbound", trust_domains, {"istio-peer-exchange", "istio"}),
      inbound_chain("virtualInbound-catchall-http", trust_domains,
                    {"istio-http/1.0", "istio-http/1.1", "istio-h2"})};
  std::vector<Json> listeners = {
      listener("0.0.0.0_80", "0.0.0.0", 80, {tcp_chain("PassthroughCluster")}, "OUTBOUND"),
      listener("0.0.0.0_9080", "0.0.0.0", 9080, {tcp_chain("PassthroughCluster")}, "OUTBOUND"),
      listener("virtualOutbound", "0.0.0.0", 15001, {tcp_chain("PassthroughCluster")}, "OUTBOUND"),
      listener("virtualInbound", "0.0.0.0", 15006, inbound_chains, "INBOUND")};
  return obj({{"@type", str(std::string(kAdmin) + "ListenersConfigDump")},
              {"version_info", str(version_info())},
              {"dynamic_listeners", arr(listeners)}})
      .text;
}

std::string scoped_routes_config() {
  return obj({{"@type", str(std::string(kAdmin) + "ScopedRoutesConfigDump")}}).text;
}

std::string routes_config(const std::vector<MeshService>& services) {
  std::vector<Json> hosts;
  for (const auto& svc : services) {
    std::string host = svc.name + "." + svc.ns + ".svc.cluster.local";
    hosts.push_back(
        obj({{"name", str(host + ":9080")},
             {"domains", str_array({host, svc.name + "." + svc.ns})},
             {"routes", arr({obj({{"match", obj({{"prefix", str("/")}})},
                                  {"route", obj({{"cluster", str("outbound|9080||" + host)},
                                                 {"timeout", str("0s")}})},
                                  {"name", str("default")}})})}}));
  }
  hosts.push_back(obj(
      {{"name", str("allow_any")},
       {"domains", str_array({"*"})},
       {"routes",
        arr({obj({{"match", obj({{"prefix", str("/")}})},
                  {"route", obj({{"cluster", str("PassthroughCluster")}, {"timeout", str("0s")}})},
                  {"name", str("allow_any")}})})}}));
  Json route =
      obj({{"version_info", str(version_info())},
           {"route_config",
            obj({{"@type", str("type.googleapis.com/envoy.config.route.v3.RouteConfiguration")},
                 {"name", str("9080")},
                 {"virtual_hosts", arr(hosts)},
                 {"validate_clusters", boolean(false)}})},
           {"last_updated", str(last_updated())}});
  return obj({{"@type", str(std::string(kAdmin) + "RoutesConfigDump")},
              {"dynamic_route_configs", arr({route})}})
      .text;
}

std::string endpoints_config(const std::vector<MeshService>& services, int outbound_count) {
  std::vector<Json> configs;
  int index = 0;
  for (const auto& c : outbound_clusters(services, outbound_count)) {
    std::string ip = "10.96." + std::to_string(index / 250) + "." + std::to_string(index % 250 + 2);
    ++index;
    Json endpoint = obj({{"endpoint", obj({{"address", socket_address(ip, 9080)}})},
                         {"health_status", str("HEALTHY")}});
    configs.push_back(obj(
        {{"endpoint_config",
          obj({{"@type", str("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment")},
               {"cluster_name", str(c.name)},
               {"endpoints", arr({obj({{"lb_endpoints", arr({endpoint})}})})}})},
         {"last_updated", str(last_updated())}}));
  }
  return obj({{"@type", str(std::string(kAdmin) + "EndpointsConfigDump")},
              {"dynamic_endpoint_configs", arr(configs)}})
      .text;
}
} // namespace sim::mesh
