#pragma once
// Parsed trust bundles, shared between pods: a mesh has a handful of distinct bundles and
// thousands of pods, so each distinct PEM text is parsed and classified once.

#include "meshca/mesh/ca_class.h"
#include "meshca/util/result.h"
#include "meshca/util/x509.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace meshca {

// What is shown of one root (check-root -o wide/json/yaml, report).
struct RootFacts {
  std::string subject;
  std::string sha256;
  x509::TimePoint not_after;
  CaClass ca = CaClass::citadel;
};

struct ParsedBundle {
  std::vector<x509::Certificate> roots;
  std::vector<CaClass> classes; // one per root
  std::vector<RootFacts> facts; // one per root
  x509::FingerprintSet fingerprints;
  CaSet cas;
};

class TrustBundleCache {
 public:
  explicit TrustBundleCache(const MeshCaRecognizer& recognizer) : recognizer_(recognizer) {}

  // The parsed bundle for this PEM text; a bad bundle is an error naming `what`. Thread-safe.
  Result<std::shared_ptr<const ParsedBundle>> get(const std::string& pem, std::string_view what);

  std::size_t distinct_bundles() const;

 private:
  const MeshCaRecognizer& recognizer_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const ParsedBundle>> parsed_;
};

} // namespace meshca
