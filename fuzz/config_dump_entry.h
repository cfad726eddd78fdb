#pragma once
// Fuzz entry for the Envoy config dump parser (mesh/config_dump.h), the one reader of proxy TLS
// state, with the certificates it returns read as check-root reads them.

#include "fuzz_check.h"
#include "meshca/mesh/config_dump.h"
#include "meshca/mesh/config_dump_clusters.h"
#include "x509_entry.h"

#include <algorithm>
#include <string_view>

namespace meshca::fuzz {

inline void read_secret_pem(const std::optional<mesh::SecretPem>& secret) {
  if (!secret)
    return;
  require(!secret->pem.empty(), "a secret taken from a dump is not empty");
  if (const auto certs = x509::read_pem_bundle(secret->pem, "fuzz dump secret"); certs.ok())
    x509_certificates(*certs);
}

// Pieces of a fixed size, as an answer arrives.
class FuzzPieces final : public ChunkSource {
 public:
  FuzzPieces(std::string_view text, std::size_t size) : text_(text), size_(size) {}
  std::optional<std::string_view> next() override {
    if (text_.empty())
      return std::nullopt;
    const std::string_view piece = text_.substr(0, size_);
    text_.remove_prefix(piece.size());
    return piece;
  }

 private:
  std::string_view text_;
  std::size_t size_;
};

// The streamed clusters reader gives one result however the answer is cut into pieces.
inline void streamed_clusters(std::string_view data) {
  WholeText whole(data);
  const auto one = mesh::read_cluster_trust_domains(whole, "fuzz input");
  FuzzPieces pieces(data, data.empty() ? 1 : 1 + static_cast<unsigned char>(data.front()) % 61);
  const auto cut = mesh::read_cluster_trust_domains(pieces, "fuzz input");
  require(one.ok() == cut.ok(), "streamed: the same outcome whatever the pieces");
  if (!one.ok()) {
    require(one.error().message == cut.error().message, "streamed: the same error");
    return;
  }
  require(one->refusal == cut->refusal && one->trust_domains == cut->trust_domains &&
              one->has_clusters_or_listeners == cut->has_clusters_or_listeners,
          "streamed: the same trust domains whatever the pieces");
  const auto& domains = one->trust_domains;
  require(std::adjacent_find(domains.begin(), domains.end(),
                             [](const auto& a, const auto& b) { return !(a < b); }) ==
              domains.end(),
          "streamed: trust domains sorted and unique");
  require(std::none_of(domains.begin(), domains.end(), [](const auto& d) { return d.empty(); }),
          "streamed: no empty trust domain");
}

inline Outcome config_dump_input(std::string_view data) {
  streamed_clusters(data);
  const auto state = mesh::parse_config_dump(data, "fuzz input");
  if (!state.ok()) {
    require(!state.error().message.empty(), "a dump error has a message");
    return Outcome::error;
  }
  const auto& domains = state->trust_domains;
  require(std::adjacent_find(domains.begin(), domains.end(),
                             [](const auto& a, const auto& b) { return !(a < b); }) ==
              domains.end(),
          "trust domains sorted and unique");
  require(std::none_of(domains.begin(), domains.end(), [](const auto& d) { return d.empty(); }),
          "no empty trust domain");
  require(state->spiffe_bundles.empty() || state->root_ca.has_value(),
          "SPIFFE bundles come with a ROOTCA");
  read_secret_pem(state->root_ca);
  read_secret_pem(state->workload_chain);
  return Outcome::value;
}

} // namespace meshca::fuzz
