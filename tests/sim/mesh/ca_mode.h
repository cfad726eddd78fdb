#pragma once
// The CA behaviour of an istiod revision, as ASM's install options produce it, and what a sidecar
// injected by such a revision ends up with: who signs its certificate, which roots it trusts,
// which trust domains its SAN matchers accept.

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

// Scenario spelling: "citadel", "citadel-meshca-root", "meshca-migration", "meshca-final",
// "meshca".
std::optional<CaMode> parse_ca_mode(std::string_view name);
std::string_view ca_mode_name(CaMode mode);

Issuer issuer_of(CaMode mode);
bool trusts_citadel(CaMode mode);
bool trusts_meshca(CaMode mode);

// The trust domains a sidecar's SAN matchers accept: the revision's trust domain first, then its
// aliases (Istio's ExpandWithTrustDomains order), deduplicated. `citadel_td` is the mesh's own
// trust domain (cluster.local), `meshca_td` is PROJECT.svc.id.goog; `extra_aliases` come from
// the scenario's per-revision trust_domain_aliases.
std::vector<std::string> trust_domains(CaMode mode, const std::string& citadel_td,
                                       const std::string& meshca_td,
                                       const std::vector<std::string>& extra_aliases);

// The trust domain in the SPIFFE ID of the certificate a sidecar is issued.
std::string identity_trust_domain(CaMode mode, const std::string& citadel_td,
                                  const std::string& meshca_td);

} // namespace sim::mesh
