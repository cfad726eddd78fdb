#pragma once
// Envoy admin /config_dump pieces in the raw admin format (snake_case, "@type" on every dump),
// as an Istio sidecar or gateway prints them. Each function returns compact JSON text of one
// element of the top-level "configs" array (or one DynamicSecret); envoy_dump_text() splices
// pretty-printed pieces into a whole document.

#include <string>
#include <utility>
#include <vector>

namespace sim::mesh {

// A destination in the mesh: every outbound cluster names one, and its SAN matchers accept the
// destination's service account in every trust domain.
struct MeshService {
  std::string name;
  std::string ns;
  std::string service_account;
};

struct BootstrapFacts {
  bool gateway = false; // node id "router~..." instead of "sidecar~..."
  std::string pod_name, pod_ip, node_name, ns, service_account, workload, owner;
  std::string revision, istio_version, cluster_id = "Kubernetes";
  std::string trust_domain; // MESH_ID
  std::string labels_json;  // a JSON object (text); may be a quoted sentinel
};

std::string bootstrap_config(const BootstrapFacts& facts);

// ClustersConfigDump: static clusters plus `outbound_count` outbound clusters cycling through
// `services` (ports and subsets vary), each with tlsMode-istio / tlsMode-disabled transport
// socket matches whose SAN matchers are exact spiffe://TD/ns/NS/sa/SA for every trust domain.
std::string clusters_config(const std::vector<MeshService>& services,
                            const std::vector<std::string>& trust_domains, int outbound_count,
                            const std::string& istiod_host);
// ListenersConfigDump: virtualOutbound, virtualInbound (filter chains with SAN prefix matchers
// spiffe://TD/ per trust domain) and a few outbound listeners.
std::string listeners_config(const std::vector<std::string>& trust_domains);
std::string scoped_routes_config();
std::string routes_config(const std::vector<MeshService>& services);
// EndpointsConfigDump for ?include_eds (one endpoint per outbound EDS cluster).
std::string endpoints_config(const std::vector<MeshService>& services, int outbound_count);

// One DynamicSecret entry (as in dynamic_active_secrets), without/with the item @type that the
// resource= shape carries.
std::string default_secret(const std::string& chain_pem, bool with_item_type);
std::string rootca_secret(const std::string& bundle_pem, bool with_item_type);
// SecretsConfigDump with `default` and `ROOTCA`, ROOTCA first when `rootca_first`.
std::string secrets_config(const std::string& chain_pem, const std::string& bundle_pem,
                           bool rootca_first);

// {"configs":[...]} with each piece pretty-printed at the right depth.
std::string envoy_dump_text(const std::vector<std::string>& configs);

// The outbound cluster names clusters_config() produces, in order (for tests and EDS).
std::vector<std::string> outbound_cluster_names(const std::vector<MeshService>& services,
                                                int outbound_count);

} // namespace sim::mesh
