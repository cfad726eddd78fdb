#pragma once
// The mutual TLS handshake between two sidecars, decided from what each was injected with: the
// client verifies the server's chain against its ROOTCA bundle, then the server's SPIFFE trust
// domain against its SAN matchers; only then does the server verify the client the same way
// (the inbound listener has trust-domain prefix matchers too). Envoy's validator checks the
// chain before the SAN, so a chain failure is reported as such even when the SAN would fail too.

#include "mesh/ca_mode.h"

#include <string>
#include <vector>

namespace sim::mesh {

struct PeerTrust {
  Issuer issuer = Issuer::citadel;        // who signed the sidecar's certificate chain
  bool trusts_citadel = true;             // its ROOTCA bundle holds the Citadel root
  bool trusts_meshca = false;             // ... the Mesh CA roots
  std::vector<std::string> trust_domains; // its SAN matchers accept these
  std::string identity_domain;            // the trust domain of its own SPIFFE ID

  bool trusts(Issuer other) const {
    return other == Issuer::citadel ? trusts_citadel : trusts_meshca;
  }
  bool accepts(const std::string& domain) const;
  // Identifies trust facts that give the same verdicts (pods are grouped by it).
  std::string key() const;
};

enum class Handshake {
  ok,
  client_rejects_root, // client: ssl.fail_verify_error
  client_rejects_san,  // client: ssl.fail_verify_san
  server_rejects_root, // server: ssl.fail_verify_error
  server_rejects_san,  // server: ssl.fail_verify_san
};

Handshake handshake(const PeerTrust& client, const PeerTrust& server);

} // namespace sim::mesh
