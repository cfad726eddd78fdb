#pragma once
// The Mesh CA SPIFFE trust bundle, in the JWKS shape Google publishes at
// https://storage.googleapis.com/mesh-ca-resources/spiffe_bundle.json:
// {"spiffe_sequence":N,"spiffe_refresh_hint":S,"keys":[{"kty","use":"x509-svid",
//  "n"/"e" or "crv"/"x"/"y", "x5c":[base64 DER]}]}.

#include <string>
#include <vector>

namespace sim::mesh {

// Builds the bundle from PEM root certificates. Throws std::runtime_error on a PEM that does not
// parse or a key type other than RSA and EC (our own roots only: a bug, not an input error).
std::string spiffe_bundle_json(const std::vector<std::string>& root_pems, int sequence = 1,
                               int refresh_hint_s = 450000);

// Standard base64 (RFC 4648 §4, padded) and base64url (§5, unpadded, as JWK uses).
std::string base64(const std::string& bytes);
std::string base64url(const std::string& bytes);

} // namespace sim::mesh
