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

Issuer issuer_of(CaMode mode) {
  return mode == CaMode::citadel || mode == CaMode::citadel_meshca_root ? Issuer::citadel
                                                                        : Issuer::meshca;
}

bool trusts_citadel(CaMode mode) {
  return mode == CaMode::citadel || mode == CaMode::citadel_meshca_root ||
         mode == CaMode::meshca_migration;
}

bool trusts_meshca(CaMode mode) {
  return mode != CaMode::citadel;
}

std::vector<std::string> trust_domains(CaMode mode, const std::string& citadel_td,
                                       const std::string& meshca_td,
                                       const std::vector<std::string>& extra_aliases) {
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
