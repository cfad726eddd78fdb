#pragma once
// SPIFFE trust bundles (a JWK Set, SPIFFE Trust Domain and Bundle spec §4), as served for the
// Mesh CA at https://storage.googleapis.com/mesh-ca-resources/spiffe_bundle.json:
//   {"spiffe_sequence":1,"spiffe_refresh_hint":450000,
//    "keys":[{"kty":"RSA","use":"x509-svid","n":...,"e":...,"x5c":["<base64 DER>"]}]}

#include "meshca/util/json.h"
#include "meshca/util/result.h"
#include "meshca/util/x509.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace meshca::mesh {

struct SpiffeBundle {
  std::vector<x509::Certificate> x509_authorities; // every "x509-svid" key's x5c, in order
  x509::FingerprintSet fingerprints;               // of x509_authorities
  std::optional<std::int64_t> sequence;            // spiffe_sequence
  std::optional<std::int64_t> refresh_hint_s;      // spiffe_refresh_hint, seconds
};

// Parses a bundle. Keys with "use":"jwt-svid" (and other uses) are skipped; a key without "use"
// that has "x5c" is taken as an X.509 authority. Errors are bad_input naming `what` and the key:
// invalid JSON, no "keys" array, an x509-svid key without x5c, x5c that is not base64 (standard
// alphabet, RFC 7517 §4.7) or not a DER certificate, or no X.509 authority at all.
Result<SpiffeBundle> parse_spiffe_bundle(std::string_view json, std::string_view what,
                                         std::size_t max_bytes = std::size_t{16} << 20);

} // namespace meshca::mesh
