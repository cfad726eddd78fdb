#pragma once
// Which CA a trust domain belongs to, for check-root --trust-domain (DESIGN.md, "check-root").
// `PROJECT.svc.id.goog` is Mesh CA's; the mesh's own trust domain (`trustDomain` in a revision's
// mesh config, `cluster.local` unless the install changed it) is Citadel's. Any other trust
// domain (a SPIRE one, a stray alias) belongs to neither: accepting it proves nothing about
// accepting certificates from either CA.

#include "meshca/kube/kubectl.h"
#include "meshca/mesh/ca_class.h"
#include "meshca/util/result.h"

#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

inline constexpr std::string_view kDefaultCitadelTrustDomain = "cluster.local";

struct TrustDomainOwners {
  // Citadel's trust domains: every revision's mesh-config trustDomain that is not Mesh CA's.
  std::vector<std::string> citadel{std::string(kDefaultCitadelTrustDomain)};

  // MESHCA for `*.svc.id.goog`, CITADEL for one of `citadel`, nullopt for any other.
  std::optional<CaClass> owner(std::string_view trust_domain) const;
  // The CAs at least one of whose trust domains is among `accepted`.
  CaSet owners_of(const std::vector<std::string>& accepted) const;
};

// The top-level `trustDomain:` of a mesh config (the YAML text of ConfigMap istio[-REV] key
// `mesh`), read line by line; nullopt when there is none. Quotes and a trailing comment are
// dropped.
std::optional<std::string> mesh_config_trust_domain(std::string_view mesh_yaml);

// From a ConfigMap list of istio-system (`kubectl get configmaps -o json`): the trust domains
// of the revisions' mesh configs (ConfigMaps named `istio` or `istio-REV` with a `mesh` key).
// Citadel's are those not ending `.svc.id.goog`; cluster.local when there are none.
TrustDomainOwners trust_domain_owners_from(const rapidjson::Value& config_maps);

// Reads the ConfigMaps of istio-system through kubectl (one call). Errors are cluster_error;
// callers fall back to the default owners with a warning.
Result<TrustDomainOwners> read_trust_domain_owners(KubectlRunner& kubectl);

} // namespace meshca
