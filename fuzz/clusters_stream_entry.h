#pragma once
// Fuzz entry for the clusters reader that parses as the answer streams in
// (mesh/config_dump_clusters.h): the same input read whole and in pieces (sized by its first
// byte) must give one result, whatever it is, with sorted, unique, non-empty trust domains.

#include "config_dump_entry.h" // require_trust_domains
#include "fuzz_check.h"
#include "meshca/mesh/config_dump_clusters.h"

#include <cstddef>
#include <optional>
#include <string_view>

namespace meshca::fuzz {

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
inline Outcome clusters_stream_input(std::string_view data) {
  WholeText whole(data);
  const auto one = mesh::read_cluster_trust_domains(whole, "fuzz input");
  FuzzPieces pieces(data, data.empty() ? 1 : 1 + static_cast<unsigned char>(data.front()) % 61);
  const auto cut = mesh::read_cluster_trust_domains(pieces, "fuzz input");
  require(one.ok() == cut.ok(), "streamed: the same outcome whatever the pieces");
  if (!one.ok()) {
    require(one.error().message == cut.error().message, "streamed: the same error");
    return Outcome::error;
  }
  require(one->refusal == cut->refusal && one->trust_domains == cut->trust_domains &&
              one->has_clusters_or_listeners == cut->has_clusters_or_listeners,
          "streamed: the same trust domains whatever the pieces");
  require_trust_domains(one->trust_domains);
  return Outcome::value;
}

} // namespace meshca::fuzz
