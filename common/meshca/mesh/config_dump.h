#pragma once
// The one place that reads Envoy config dumps (with config_dump_clusters.h, the same rules for a
// clusters answer read as it streams in): the TLS state of one proxy (what it trusts, the
// certificate it presents, the trust domains it accepts), from any of the shapes in FORMATS.md:
//   A. raw `/config_dump` {"configs":[...]} (also istioctl `pc all -o json`, camelCase)
//   B. `/config_dump?resource=dynamic_active_secrets` {"configs":[DynamicSecret...]}
//   C. istioctl `pc secret -o json`: a bare SecretsConfigDump, camelCase
//   D. istioctl `pc cluster -o json`: an array of Cluster objects, camelCase
// Every key is looked up under its snake_case and camelCase spelling; configs are found by the
// suffix of their "@type", never by position.

#include "meshca/util/json.h"
#include "meshca/util/result.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshca::mesh {

// PEM text of one SDS secret (possibly several certificates), not yet parsed.
struct SecretPem {
  std::string pem;
  bool warming = false; // taken from dynamic_warming_secrets: no active entry had it
};

// One trust domain of a SPIFFE certificate validator and its trust bundle.
struct SpiffeTrustDomainBundle {
  std::string trust_domain;
  std::string pem;
};

struct ProxyTlsState {
  // The `ROOTCA` secret's trusted CA bundle. When ROOTCA uses the SPIFFE validator (SPIRE) instead
  // of trusted_ca, this is the concatenation of all its trust bundles, split in spiffe_bundles.
  std::optional<SecretPem> root_ca;
  // The `default` secret's certificate chain (leaf first).
  std::optional<SecretPem> workload_chain;
  // Trust bundles of ROOTCA's SPIFFE validator, in dump order; empty without one.
  std::vector<SpiffeTrustDomainBundle> spiffe_bundles;
  // Sorted, unique: trust domains of spiffe:// SAN matchers in clusters and listeners, plus the
  // SPIFFE validator's trust domains.
  std::vector<std::string> trust_domains;
  // Whether the dump held secrets / clusters or listeners at all: a secrets-only dump (shape B or
  // C) says nothing about trust domains, and an empty trust_domains then means "unknown".
  bool has_secrets = false;
  bool has_clusters_or_listeners = false;
  // Things a reader should know that did not stop parsing, each a full sentence naming `what`
  // (e.g. a trusted CA read from a file inside the proxy, which a dump cannot show).
  std::vector<std::string> warnings;
};

// The largest config dump read, from a pod or a file: far above any real proxy's (a mesh of
// thousands of services dumps tens of MB), low enough that a runaway answer cannot exhaust memory.
inline constexpr std::size_t kMaxConfigDumpBytes = std::size_t{256} << 20; // 256 MiB

// "256 MiB" for a byte count (whole MiB when exact, else bytes), for messages about the cap.
std::string format_byte_size(std::size_t bytes);

// Parses one dump. `what` names it in messages (e.g. `pod "ns/name"` or `file "dump.json"`).
// Errors are bad_input: input over `max_bytes` ("<what>: config dump of N bytes is more than the
// limit of 256 MiB"), invalid JSON (with offset), a JSON document of
// none of the shapes above, or undecodable inline base64 in ROOTCA/default. A dump without
// secrets is not an error: the optionals stay empty and `warnings` says so.
Result<ProxyTlsState> parse_config_dump(std::string_view json, std::string_view what,
                                        std::size_t max_bytes = kMaxConfigDumpBytes);

// The same for an answer the caller is done with: parsed in place, without a copy (check-root's
// pods; --trust-domain's clusters answer, up to a megabyte, is read as it streams in instead:
// config_dump_clusters.h). A JSON error gives the offset only.
Result<ProxyTlsState> parse_config_dump_owned(std::string&& json, std::string_view what,
                                              std::size_t max_bytes = kMaxConfigDumpBytes);

// The secret names that carry the mesh trust anchors and the workload certificate.
inline constexpr std::string_view kRootCaSecret = "ROOTCA";
inline constexpr std::string_view kWorkloadSecret = "default";

} // namespace meshca::mesh
