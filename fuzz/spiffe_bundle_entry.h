#pragma once
// Fuzz entry for the SPIFFE bundle reader (mesh/spiffe_bundle.h) and trust-domain parsing
// (mesh/trust_domains.h): the input as a bundle, as one SPIFFE URI, and as a JSON document
// whose SAN matchers are collected.

#include "fuzz_check.h"
#include "meshca/mesh/spiffe_bundle.h"
#include "meshca/mesh/trust_domains.h"
#include "meshca/util/json.h"
#include "x509_entry.h"

#include <set>
#include <string>
#include <string_view>

namespace meshca::fuzz {

inline void trust_domain_input(std::string_view data) {
  if (const auto domain = mesh::trust_domain_of(data)) {
    require(!domain->empty(), "a trust domain is not empty");
    require(domain->find('/') == std::string_view::npos, "a trust domain holds no '/'");
  }
  const auto document = json::parse(data, "fuzz trust domains");
  if (!document.ok())
    return;
  std::set<std::string> domains;
  mesh::collect_trust_domains(*document, domains);
  require(!domains.contains(""), "no empty trust domain collected");
}

inline Outcome spiffe_bundle_input(std::string_view data) {
  trust_domain_input(data);
  const auto bundle = mesh::parse_spiffe_bundle(data, "fuzz input");
  if (!bundle.ok()) {
    require(!bundle.error().message.empty(), "a bundle error has a message");
    return Outcome::error;
  }
  require(!bundle->x509_authorities.empty(), "a bundle read has an X.509 authority");
  require(bundle->fingerprints.size() <= bundle->x509_authorities.size(), "fingerprints no more");
  x509_certificates(bundle->x509_authorities);
  return Outcome::value;
}

} // namespace meshca::fuzz
