#include "mesh/ca_mode.h"

#include <algorithm>
#include <array>
#include <utility>

namespace sim::mesh {

namespace {
constexpr std::array<std::pair<CaMode, std::string_view>, 5> kNames{{
    {CaMode::citadel, "citadel"},
    {CaMode::citadel_meshca_root, "citadel-meshca-root"},
    {CaMode::meshca_migration, "meshca-migration"},
    {CaMode::meshca_final, "meshca-final"},
    {CaMode::meshca, "meshca"},
}};

constexpr std::array<std::pair<CaSetting, std::string_view>, 5> kSettings{{
    {CaSetting::multiroot_mesh, "ISTIO_MULTIROOT_MESH"},
    {CaSetting::xds_agent, "PROXY_CONFIG_XDS_AGENT"},
    {CaSetting::ca_certificates, "caCertificates"},
    {CaSetting::trust_domain_aliases, "trustDomainAliases"},
    {CaSetting::no_ca_server, "ENABLE_CA_SERVER"},
}};

bool multi_root_off(Omissions omitted) {
  return omitted.has(CaSetting::multiroot_mesh) || omitted.has(CaSetting::xds_agent);
}
} // namespace

std::optional<CaMode> parse_ca_mode(std::string_view name) {
  for (const auto& [mode, spelling] : kNames)
    if (spelling == name)
      return mode;
  return std::nullopt;
}

std::string_view ca_mode_name(CaMode mode) {
  for (const auto& [candidate, spelling] : kNames)
    if (candidate == mode)
      return spelling;
  return "citadel";
}

std::optional<CaSetting> parse_ca_setting(std::string_view name) {
  for (const auto& [setting, spelling] : kSettings)
    if (spelling == name)
      return setting;
  return std::nullopt;
}

std::string_view ca_setting_name(CaSetting setting) {
  for (const auto& [candidate, spelling] : kSettings)
    if (candidate == setting)
      return spelling;
  return "";
}

const std::vector<CaSetting>& all_ca_settings() {
  static const std::vector<CaSetting> settings = [] {
    std::vector<CaSetting> out;
    for (const auto& entry : kSettings)
      out.push_back(entry.first);
    return out;
  }();
  return settings;
}

bool mode_sets(CaMode mode, CaSetting setting) {
  switch (mode) {
  case CaMode::citadel:
    return false;
  case CaMode::citadel_meshca_root:
    return setting == CaSetting::multiroot_mesh || setting == CaSetting::xds_agent ||
           setting == CaSetting::ca_certificates;
  case CaMode::meshca_migration:
  case CaMode::meshca_final:
    return setting != CaSetting::ca_certificates;
  case CaMode::meshca:
    return setting == CaSetting::no_ca_server;
  }
  return false;
}

Issuer issuer_of(CaMode mode) {
  return mode == CaMode::citadel || mode == CaMode::citadel_meshca_root ? Issuer::citadel
                                                                        : Issuer::meshca;
}

bool trusts_citadel(CaMode mode, Omissions omitted) {
  if (mode == CaMode::meshca_migration)
    return !multi_root_off(omitted);
  return mode == CaMode::citadel || mode == CaMode::citadel_meshca_root;
}

bool trusts_meshca(CaMode mode, Omissions omitted) {
  if (mode == CaMode::citadel_meshca_root)
    return !multi_root_off(omitted) && !omitted.has(CaSetting::ca_certificates);
  return mode != CaMode::citadel;
}

std::vector<std::string> trust_domains(CaMode mode, const std::string& citadel_td,
                                       const std::string& meshca_td,
                                       const std::vector<std::string>& extra_aliases,
                                       Omissions omitted) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& td) {
    if (!td.empty() && std::find(out.begin(), out.end(), td) == out.end())
      out.push_back(td);
  };
  switch (mode) {
  case CaMode::citadel:
    add(citadel_td);
    break;
  case CaMode::citadel_meshca_root:
    add(citadel_td);
    add(meshca_td);
    break;
  case CaMode::meshca_migration:
  case CaMode::meshca_final:
    add(meshca_td);
    if (!omitted.has(CaSetting::trust_domain_aliases))
      add(citadel_td);
    break;
  case CaMode::meshca:
    add(meshca_td);
    break;
  }
  for (const auto& alias : extra_aliases)
    add(alias);
  return out;
}

std::string identity_trust_domain(CaMode mode, const std::string& citadel_td,
                                  const std::string& meshca_td) {
  return issuer_of(mode) == Issuer::citadel ? citadel_td : meshca_td;
}

} // namespace sim::mesh
