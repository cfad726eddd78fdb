// Bootstrap and secrets dumps, and the whole-document splice (clusters etc.: envoy_dump.cpp).
#include "mesh/envoy_dump.h"
#include "mesh/envoy_parts.h"
#include "mesh/json_text.h"
#include "mesh/spiffe_bundle.h"

namespace sim::mesh {

using namespace envoy;

namespace {

Json secret_item(const std::string& name, Json secret, bool with_item_type) {
  std::vector<std::pair<std::string, Json>> members;
  if (with_item_type)
    members.emplace_back("@type", str(std::string(kAdmin) + "SecretsConfigDump.DynamicSecret"));
  members.emplace_back("name", str(name));
  members.emplace_back("last_updated", str(last_updated()));
  members.emplace_back("secret", std::move(secret));
  return obj(members);
}

} // namespace

std::string bootstrap_config(const BootstrapFacts& f) {
  std::string kind = f.gateway ? "router" : "sidecar";
  std::string node_id =
      kind + "~" + f.pod_ip + "~" + f.pod_name + "." + f.ns + "~" + f.ns + ".svc.cluster.local";
  std::string istiod = f.revision == "default" ? "istiod" : "istiod-" + f.revision;
  Json metadata =
      obj({{"NAME", str(f.pod_name)},
           {"NAMESPACE", str(f.ns)},
           {"INSTANCE_IPS", str(f.pod_ip)},
           {"NODE_NAME", str(f.node_name)},
           {"SERVICE_ACCOUNT", str(f.service_account)},
           {"WORKLOAD_NAME", str(f.workload)},
           {"OWNER", str(f.owner)},
           {"LABELS", raw(f.labels_json)},
           {"ISTIO_VERSION", str(f.istio_version)},
           {"MESH_ID", str(f.trust_domain)},
           {"CLUSTER_ID", str(f.cluster_id)},
           {"ENVOY_STATUS_PORT", num(15021)},
           {"ENVOY_PROMETHEUS_PORT", num(15090)},
           {"PILOT_SAN", str_array({istiod + ".istio-system.svc"})},
           {"PROXY_CONFIG", obj({{"discoveryAddress", str(istiod + ".istio-system.svc:15012")},
                                 {"proxyAdminPort", num(15000)},
                                 {"statusPort", num(15020)},
                                 {"controlPlaneAuthPolicy", str("MUTUAL_TLS")},
                                 {"binaryPath", str("/usr/local/bin/envoy")},
                                 {"configPath", str("./etc/istio/proxy")},
                                 {"drainDuration", str("45s")}})}});
  Json node =
      obj({{"id", str(node_id)},
           {"cluster", str(f.workload + "." + f.ns)},
           {"metadata", metadata},
           {"locality", obj({})},
           {"user_agent_name", str("envoy")},
           {"user_agent_build_version",
            obj({{"version",
                  obj({{"major_number", num(1)}, {"minor_number", num(27)}, {"patch", num(3)}})},
                 {"metadata",
                  obj({{"build.type", str("RELEASE")}, {"ssl.version", str("BoringSSL")}})}})}});
  Json static_resources = obj(
      {{"clusters", arr({static_cluster("prometheus_stats", "127.0.0.1", 15000, "0.250s"),
                         static_cluster("agent", "127.0.0.1", 15020, "0.250s"),
                         static_cluster("xds-grpc", "./etc/istio/proxy/XDS", 0, "1s"),
                         static_cluster("sds-grpc", "./var/run/secrets/workload-spiffe-uds/socket",
                                        0, "1s")})}});
  Json bootstrap =
      obj({{"node", node},
           {"static_resources", static_resources},
           {"dynamic_resources", obj({{"lds_config", obj({{"ads", obj({})},
                                                          {"initial_fetch_timeout", str("0s")},
                                                          {"resource_api_version", str("V3")}})},
                                      {"cds_config", obj({{"ads", obj({})},
                                                          {"initial_fetch_timeout", str("0s")},
                                                          {"resource_api_version", str("V3")}})}})},
           {"admin", obj({{"address", socket_address("127.0.0.1", 15000)},
                          {"profile_path", str("/var/lib/istio/data/envoy.prof")}})},
           {"stats_config", obj({{"use_all_default_tags", boolean(false)}})}});
  return obj({{"@type", str(std::string(kAdmin) + "BootstrapConfigDump")},
              {"bootstrap", bootstrap},
              {"last_updated", str(last_updated())}})
      .text;
}
std::string default_secret(const std::string& chain_pem, bool with_item_type) {
  Json secret = obj({{"@type", str(std::string(kTls) + "Secret")},
                     {"name", str("default")},
                     {"tls_certificate",
                      obj({{"certificate_chain", obj({{"inline_bytes", str(base64(chain_pem))}})},
                           {"private_key", obj({{"inline_bytes", str("W3JlZGFjdGVkXQ==")}})}})}});
  return secret_item("default", secret, with_item_type).text;
}

std::string rootca_secret(const std::string& bundle_pem, bool with_item_type) {
  Json secret = obj({{"@type", str(std::string(kTls) + "Secret")},
                     {"name", str("ROOTCA")},
                     {"validation_context",
                      obj({{"trusted_ca", obj({{"inline_bytes", str(base64(bundle_pem))}})}})}});
  return secret_item("ROOTCA", secret, with_item_type).text;
}

std::string secrets_config(const std::string& chain_pem, const std::string& bundle_pem,
                           bool rootca_first) {
  Json def = raw(default_secret(chain_pem, false));
  Json root = raw(rootca_secret(bundle_pem, false));
  return obj({{"@type", str(std::string(kAdmin) + "SecretsConfigDump")},
              {"dynamic_active_secrets", rootca_first ? arr({root, def}) : arr({def, root})}})
      .text;
}

std::string envoy_dump_text(const std::vector<std::string>& configs) {
  std::string out = "{\n \"configs\": [\n";
  for (std::size_t i = 0; i < configs.size(); ++i) {
    out += "  ";
    out += pretty(configs[i], 2);
    out += i + 1 < configs.size() ? ",\n" : "\n";
  }
  out += " ]\n}\n";
  return out;
}

} // namespace sim::mesh
