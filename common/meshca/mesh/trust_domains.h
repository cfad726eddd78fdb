#pragma once
// Trust domains in Envoy TLS settings: the `spiffe://<trust domain>/...` SAN matchers of
// upstream (cluster) and downstream (listener filter chain) validation contexts.

#include <optional>
#include <rapidjson/document.h>
#include <set>
#include <string>
#include <string_view>

namespace meshca::mesh {

// Deeper than any real Envoy config: SAN matchers nested further are not looked for, which
// bounds the work on hostile input.
inline constexpr int kMaxSanMatcherDepth = 96;

// "spiffe://cluster.local/ns/a/sa/b" -> "cluster.local"; nullopt unless `uri` starts with
// "spiffe://" and has a non-empty trust domain.
std::optional<std::string_view> trust_domain_of(std::string_view uri);

// The trust domain of a safe_regex SAN matcher such as "^spiffe://cluster\\.local/ns/.*" when it
// is literal (escaped dots and dashes only), else nullopt.
std::optional<std::string> trust_domain_of_regex(std::string_view regex);

// Adds to `out` the trust domain of every spiffe:// SAN matcher found anywhere under `config`
// (a cluster, a listener, or a whole Clusters/ListenersConfigDump): match_subject_alt_names,
// match_typed_subject_alt_names (URI type), and the v2 verify_subject_alt_name, in both key
// spellings, including those nested in transport_socket_matches and wrapping transport sockets.
// StringMatcher forms: exact, prefix, contains (a spiffe:// start) and simple safe_regex.
void collect_trust_domains(const rapidjson::Value& config, std::set<std::string>& out);

} // namespace meshca::mesh
