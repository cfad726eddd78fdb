#pragma once
// Trust domains in Envoy TLS settings: the `spiffe://<trust domain>/...` SAN matchers of
// upstream (cluster) and downstream (listener filter chain) validation contexts.

#include <optional>
#include <rapidjson/document.h>
#include <set>
#include <string>
#include <string_view>

namespace meshca::mesh {

// "spiffe://cluster.local/ns/a/sa/b" -> "cluster.local"; nullopt unless `uri` starts with
// "spiffe://" and has a non-empty trust domain.
std::optional<std::string_view> trust_domain_of(std::string_view uri);

// Adds to `out` the trust domain of every spiffe:// SAN matcher found anywhere under `config`
// (a cluster, a listener, or a whole Clusters/ListenersConfigDump): match_subject_alt_names,
// match_typed_subject_alt_names (URI type), and the v2 verify_subject_alt_name, in both key
// spellings, including those nested in transport_socket_matches and wrapping transport sockets.
// StringMatcher forms: exact, prefix, contains (a spiffe:// start) and simple safe_regex.
void collect_trust_domains(const rapidjson::Value& config, std::set<std::string>& out);

} // namespace meshca::mesh
