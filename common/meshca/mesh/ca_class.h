#pragma once
// Which CA a root belongs to (DESIGN.md, check-root "Classification"): MESHCA when its SHA-256
// fingerprint is in the Mesh CA SPIFFE trust bundle, or, when no bundle could be had, when its
// subject CN begins `istio_v1_cloud_workload_root-signer`; any other root is CITADEL.

#include "meshca/util/result.h"
#include "meshca/util/x509.h"

#include <string>
#include <string_view>
#include <vector>

namespace meshca {

enum class CaClass { citadel, meshca };

std::string_view to_string(CaClass ca); // "CITADEL", "MESHCA"

// Parses "CITADEL", "MESHCA" or "CITADEL,MESHCA" (any case, any order); bad_input otherwise.
Result<std::vector<CaClass>> parse_ca_classes(std::string_view text, std::string_view flag);

// Which CAs a pod trusts (or a chain was issued by): rendered as migrate_ca does, "[CITADEL
// MESHCA]".
struct CaSet {
  bool citadel = false;
  bool meshca = false;

  void add(CaClass ca) { (ca == CaClass::citadel ? citadel : meshca) = true; }
  bool has(CaClass ca) const { return ca == CaClass::citadel ? citadel : meshca; }
  bool has_all(const std::vector<CaClass>& cas) const;
  bool empty() const { return !citadel && !meshca; }
  std::string label() const; // "[CITADEL MESHCA]", "[CITADEL]", "[MESHCA]", "[]"
  std::vector<std::string> names() const;
  friend bool operator==(const CaSet&, const CaSet&) = default;
};

// The rule that decides MESHCA, and the evidence for it.
class MeshCaRecognizer {
 public:
  enum class Rule { trust_bundle, subject_cn };

  static MeshCaRecognizer from_bundle(x509::FingerprintSet meshca_roots, std::string source);
  static MeshCaRecognizer by_subject_cn(std::string reason);

  CaClass classify(const x509::Certificate& root) const;
  Rule rule() const { return rule_; }
  // One line for stderr: which rule is used and why, e.g.
  // "Mesh CA roots: 2 from https://storage.googleapis.com/... (cached 3h ago)".
  const std::string& description() const { return description_; }

 private:
  MeshCaRecognizer(Rule rule, x509::FingerprintSet roots, std::string description)
      : rule_(rule), roots_(std::move(roots)), description_(std::move(description)) {}

  Rule rule_;
  x509::FingerprintSet roots_;
  std::string description_;
};

inline constexpr std::string_view kMeshCaRootCnPrefix = "istio_v1_cloud_workload_root-signer";

} // namespace meshca
