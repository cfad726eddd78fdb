#pragma once
// Where the Mesh CA roots come from: the public SPIFFE trust bundle (fetched with libcurl and
// cached), a file or URL the user names (--meshca-bundle, for air-gapped clusters), or, when no
// bundle can be had, the subject-CN rule.

#include "meshca/mesh/ca_class.h"
#include "meshca/util/result.h"

#include <chrono>
#include <optional>
#include <string>

namespace meshca {

inline constexpr const char* kDefaultMeshCaBundleUrl =
    "https://storage.googleapis.com/mesh-ca-resources/spiffe_bundle.json";

struct BundleSourceOptions {
  std::optional<std::string> flag; // --meshca-bundle FILE|URL; empty: the public bundle
  std::string cache_dir;           // where fetched bundles are kept; "" disables the cache
  std::chrono::seconds cache_lifetime{24 * 3600};
};

// The recognizer for this run. A FILE or URL the user named must work: an unreadable or invalid
// bundle is bad_input, an unreachable URL cluster_error. The default URL may fail (no internet):
// a stale cached copy is used if there is one, else the subject-CN rule, and the recognizer's
// description says which and why.
Result<MeshCaRecognizer> load_meshca_recognizer(const BundleSourceOptions& options);

// $XDG_CACHE_HOME/kubectl-meshca, else $HOME/.cache/kubectl-meshca, else "".
std::string default_cache_dir();

// A bundle file may be a SPIFFE bundle (JSON) or PEM roots; both give the Mesh CA fingerprints.
Result<x509::FingerprintSet> parse_meshca_roots(const std::string& text, const std::string& what);

} // namespace meshca
