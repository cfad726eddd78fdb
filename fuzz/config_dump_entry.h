#pragma once
// Fuzz entry for the Envoy config dump parser (mesh/config_dump.h), the one reader of proxy TLS
// state, with the certificates it returns read as check-root reads them.

#include "fuzz_check.h"
#include "meshca/mesh/config_dump.h"
#include "x509_entry.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace meshca::fuzz {

// What both dump readers promise of the trust domains they return.
inline void require_trust_domains(const std::vector<std::string>& domains) {
  require(std::adjacent_find(domains.begin(), domains.end(),
                             [](const auto& a, const auto& b) { return !(a < b); }) ==
              domains.end(),
          "trust domains sorted and unique");
  require(std::none_of(domains.begin(), domains.end(), [](const auto& d) { return d.empty(); }),
          "no empty trust domain");
}

inline void read_secret_pem(const std::optional<mesh::SecretPem>& secret) {
  if (!secret)
    return;
  require(!secret->pem.empty(), "a secret taken from a dump is not empty");
  if (const auto certs = x509::read_pem_bundle(secret->pem, "fuzz dump secret"); certs.ok())
    x509_certificates(*certs);
}

inline Outcome config_dump_input(std::string_view data) {
  const auto state = mesh::parse_config_dump(data, "fuzz input");
  if (!state.ok()) {
    require(!state.error().message.empty(), "a dump error has a message");
    return Outcome::error;
  }
  require_trust_domains(state->trust_domains);
  require(state->spiffe_bundles.empty() || state->root_ca.has_value(),
          "SPIFFE bundles come with a ROOTCA");
  read_secret_pem(state->root_ca);
  read_secret_pem(state->workload_chain);
  return Outcome::value;
}

} // namespace meshca::fuzz
