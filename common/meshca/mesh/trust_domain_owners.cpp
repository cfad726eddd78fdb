#include "meshca/mesh/trust_domain_owners.h"

#include "meshca/mesh/revision_ca_read.h"
#include "meshca/util/json.h"
#include "meshca/util/trim.h"

#include <algorithm>

namespace meshca {
namespace {

constexpr std::string_view kMeshCaTrustDomainSuffix = ".svc.id.goog";
constexpr std::string_view kTrustDomainKey = "trustDomain:";

// A YAML scalar as a mesh config writes it: plain, or in single or double quotes.
std::string_view scalar_value(std::string_view value) {
  value = trim_blanks(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
    const auto close = value.find(value.front(), 1);
    if (close != std::string_view::npos)
      return value.substr(1, close - 1);
  }
  if (const auto comment = value.find(" #"); comment != std::string_view::npos)
    value = trim_blanks(value.substr(0, comment));
  return value;
}

// ConfigMap `istio` (an unrevisioned install) or `istio-REV`; other istio-* ConfigMaps (the
// injector's, istio-ca-root-cert) have no `mesh` key and are skipped by the caller.
bool is_mesh_config_name(std::string_view name) {
  return name == "istio" || (name.starts_with("istio-") && name.size() > 6);
}

} // namespace

std::optional<CaClass> TrustDomainOwners::owner(std::string_view trust_domain) const {
  if (trust_domain.ends_with(kMeshCaTrustDomainSuffix))
    return CaClass::meshca;
  if (std::find(citadel.begin(), citadel.end(), trust_domain) != citadel.end())
    return CaClass::citadel;
  return std::nullopt;
}

CaSet TrustDomainOwners::owners_of(const std::vector<std::string>& accepted) const {
  CaSet owners;
  for (const std::string& domain : accepted)
    if (const auto ca = owner(domain))
      owners.add(*ca);
  return owners;
}

std::optional<std::string> mesh_config_trust_domain(std::string_view mesh_yaml) {
  while (!mesh_yaml.empty()) {
    const auto end = mesh_yaml.find('\n');
    const std::string_view line = mesh_yaml.substr(0, end);
    mesh_yaml = end == std::string_view::npos ? std::string_view{} : mesh_yaml.substr(end + 1);
    // Top level only: an indented trustDomain belongs to a nested map (e.g. caCertificates).
    if (!line.starts_with(kTrustDomainKey))
      continue;
    const std::string_view value = scalar_value(line.substr(kTrustDomainKey.size()));
    if (!value.empty())
      return std::string(value);
  }
  return std::nullopt;
}

TrustDomainOwners trust_domain_owners_from(const rapidjson::Value& config_maps) {
  std::vector<std::string> citadel;
  const rapidjson::Value* items = json::array_member(config_maps, "items");
  if (items != nullptr) {
    for (const auto& item : items->GetArray()) {
      const auto* metadata = json::object_member(item, "metadata");
      const auto* data = json::object_member(item, "data");
      if (metadata == nullptr || data == nullptr)
        continue;
      const auto name = json::string_member(*metadata, "name");
      const auto mesh = json::string_member(*data, "mesh");
      if (!name || !mesh || !is_mesh_config_name(*name))
        continue;
      auto domain = mesh_config_trust_domain(*mesh);
      if (!domain || domain->ends_with(kMeshCaTrustDomainSuffix))
        continue; // a Mesh CA revision names PROJECT.svc.id.goog here
      if (std::find(citadel.begin(), citadel.end(), *domain) == citadel.end())
        citadel.push_back(std::move(*domain));
    }
  }
  TrustDomainOwners owners;
  if (!citadel.empty()) {
    std::sort(citadel.begin(), citadel.end());
    owners.citadel = std::move(citadel);
  }
  return owners;
}

Result<TrustDomainOwners> read_trust_domain_owners(KubectlRunner& kubectl) {
  MESHCA_TRY_ASSIGN(auto config_maps, read_mesh_config_maps(kubectl));
  return trust_domain_owners_from(config_maps);
}

} // namespace meshca
