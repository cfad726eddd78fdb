#pragma once
// The CA behaviour of an istiod revision, as ASM's install options produce it, and what a sidecar
// injected by such a revision ends up with: who signs its certificate, which roots it trusts,
// which trust domains its SAN matchers accept.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sim::mesh {

enum class CaMode {
  citadel,             // --ca citadel: Citadel certs, Citadel root only
  citadel_meshca_root, // --ca citadel --option ca-migration-citadel: Citadel certs, Citadel + Mesh
                       // CA roots
  meshca_migration, // --ca mesh_ca --option ca-migration-meshca: Mesh CA certs, both roots, alias
                    // cluster.local
  meshca_final,     // a meshca_migration revision restarted after the CA secrets were deleted
  meshca,           // --ca mesh_ca: Mesh CA certs, Mesh CA roots only
};

enum class Issuer { citadel, meshca };

// A setting of asmcli's CA options that an install may lack (scenario key "omit"). Spelling:
// "ISTIO_MULTIROOT_MESH" (istiod env), "PROXY_CONFIG_XDS_AGENT" (meshConfig
// defaultConfig.proxyMetadata), "caCertificates" and "trustDomainAliases" (meshConfig),
// "ENABLE_CA_SERVER" (istiod env ENABLE_CA_SERVER=false).
enum class CaSetting {
  multiroot_mesh,
  xds_agent,
  ca_certificates,
  trust_domain_aliases,
  no_ca_server
};

std::optional<CaSetting> parse_ca_setting(std::string_view name);
std::string_view ca_setting_name(CaSetting setting);
const std::vector<CaSetting>& all_ca_settings(); // in the order above
// Whether the install of `mode` has the setting at all (what "omit" may name):
// citadel-meshca-root (ca-migration-citadel): ISTIO_MULTIROOT_MESH, PROXY_CONFIG_XDS_AGENT,
// caCertificates; meshca-migration/-final (ca-migration-meshca): ISTIO_MULTIROOT_MESH,
// PROXY_CONFIG_XDS_AGENT, trustDomainAliases, ENABLE_CA_SERVER; meshca: ENABLE_CA_SERVER.
bool mode_sets(CaMode mode, CaSetting setting);

// The settings a revision's install left out.
class Omissions {
 public:
  void add(CaSetting setting) { bits_ |= bit(setting); }
  bool has(CaSetting setting) const { return (bits_ & bit(setting)) != 0; }
  bool empty() const { return bits_ == 0; }

 private:
  static std::uint8_t bit(CaSetting setting) {
    return static_cast<std::uint8_t>(1U << static_cast<unsigned>(setting));
  }
  std::uint8_t bits_ = 0;
};

// Scenario spelling: "citadel", "citadel-meshca-root", "meshca-migration", "meshca-final",
// "meshca".
std::optional<CaMode> parse_ca_mode(std::string_view name);
std::string_view ca_mode_name(CaMode mode);

Issuer issuer_of(CaMode mode);
// The roots in the ROOTCA bundle. Without ISTIO_MULTIROOT_MESH or PROXY_CONFIG_XDS_AGENT a
// sidecar gets only its issuer's root: istiod builds no multi-root bundle, or pilot-agent does
// not take it over xDS; a citadel-meshca-root install without caCertificates has no Mesh CA
// root to hand out.
bool trusts_citadel(CaMode mode, Omissions omitted = {});
bool trusts_meshca(CaMode mode, Omissions omitted = {});

// The trust domains a sidecar's SAN matchers accept: the revision's trust domain first, then its
// aliases (Istio's ExpandWithTrustDomains order), deduplicated. `citadel_td` is the mesh's own
// trust domain (cluster.local), `meshca_td` is PROJECT.svc.id.goog; `extra_aliases` come from
// the scenario's per-revision trust_domain_aliases. A Mesh CA migration install without
// trustDomainAliases no longer accepts citadel_td.
std::vector<std::string> trust_domains(CaMode mode, const std::string& citadel_td,
                                       const std::string& meshca_td,
                                       const std::vector<std::string>& extra_aliases,
                                       Omissions omitted = {});

// The trust domain in the SPIFFE ID of the certificate a sidecar is issued.
std::string identity_trust_domain(CaMode mode, const std::string& citadel_td,
                                  const std::string& meshca_td);

} // namespace sim::mesh
