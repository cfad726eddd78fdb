#include "mesh/tls_verdict.h"

#include <algorithm>

namespace sim::mesh {

bool PeerTrust::accepts(const std::string& domain) const {
  return std::find(trust_domains.begin(), trust_domains.end(), domain) != trust_domains.end();
}

std::string PeerTrust::key() const {
  std::string out = issuer == Issuer::citadel ? "C" : "M";
  out += trusts_citadel ? "c" : "-";
  out += trusts_meshca ? "m" : "-";
  out += "|" + identity_domain + "|";
  for (const auto& td : trust_domains)
    out += td + ",";
  return out;
}

Handshake handshake(const PeerTrust& client, const PeerTrust& server) {
  if (!client.trusts(server.issuer))
    return Handshake::client_rejects_root;
  if (!client.accepts(server.identity_domain))
    return Handshake::client_rejects_san;
  if (!server.trusts(client.issuer))
    return Handshake::server_rejects_root;
  if (!server.accepts(client.identity_domain))
    return Handshake::server_rejects_san;
  return Handshake::ok;
}

} // namespace sim::mesh
