#pragma once
// The clusters' part of a proxy's config dump, read as it streams in. --trust-domain reads every
// outbound cluster's TLS settings, up to a megabyte per sidecar: they are parsed event by event
// and dropped, and only the trust domains of their SAN matchers are kept (no document is built,
// and the answer is never held whole). Whole dumps, secrets included, are read by config_dump.h;
// both follow the same rules for SAN matchers (trust_domains.h) and give the same trust domains.

#include "meshca/mesh/config_dump.h"
#include "meshca/util/chunk_source.h"
#include "meshca/util/result.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshca::mesh {

struct ClusterTrustDomains {
  // Set when the answer is not a JSON object: the admin API refused the request (pilot-agent
  // prints a 404's text and exits 0). Holds the answer's start, for messages.
  std::optional<std::string> refusal;
  // Sorted, unique: trust domains of the spiffe:// SAN matchers of the clusters and listeners.
  std::vector<std::string> trust_domains;
  // Whether the answer held a clusters or listeners dump (or elements of one) at all.
  bool has_clusters_or_listeners = false;
};

// Reads an answer of a clusters request: {"configs":[...]} (or the very old map of name to
// config) whose elements are ClustersConfigDump or ListenersConfigDump dumps, or one
// DynamicCluster / StaticCluster each (resource=), typed by "@type" or untyped (old Envoy).
// Other elements (the bootstrap, the secrets of an old proxy's whole dump) are skipped; a dump
// inside a dump and istioctl's bare array of clusters are not read (no proxy answers with
// them). Where a key appears twice, every occurrence counts (the whole-dump reader takes the
// first). Errors are bad_input naming "config dump of <what>": invalid JSON (with its offset), a
// NUL byte before the end, or an answer over `max_bytes` (reading stops there).
Result<ClusterTrustDomains> read_cluster_trust_domains(ChunkSource& answer, std::string_view what,
                                                       std::size_t max_bytes = kMaxConfigDumpBytes);

} // namespace meshca::mesh
