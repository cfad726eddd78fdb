#pragma once
// What check-root learns about one sidecar: the facts behind every output format.

#include "meshca/checks/chain_pool.h"
#include "meshca/mesh/ca_class.h"
#include "meshca/mesh/trust_bundle_cache.h"
#include "meshca/util/x509.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct WorkloadCertFacts {
  std::string spiffe_id;
  std::optional<CaClass> issuer; // the class of the pod's own root that verifies the chain
  std::string issuer_error;      // why no root verified it, when issuer is empty
  x509::TimePoint not_before;    // the leaf's
  x509::TimePoint not_after;     // the leaf's
  std::string leaf_sha256;    // the leaf's fingerprint (certificates may hold another pod's leaf)
  x509::FingerprintSet chain; // the chain's certificates: groups pods by issuing chain
  // Leaf first, for the mTLS matrix and traffic's explanations (AnalysisSettings::keep_chain):
  // the pod's own chain, or with a ChainPool the first chain of its issuing chain.
  SharedChain certificates;
};

struct ExpiringCert {
  std::string what; // "root CN=..." or "workload certificate spiffe://..."
  x509::TimePoint not_after;
};

struct PodReport {
  std::string context; // the kube context the pod was read from; empty for the current one
  std::string ns;
  std::string name;
  std::string revision;
  std::string error; // set when the pod could not be read; the facts below are then empty

  // The pod's trust bundle, parsed once and shared by every pod that trusts the same one (a mesh
  // has a handful): its roots, their facts and fingerprints. Null when the pod was not read.
  std::shared_ptr<const ParsedBundle> trust_bundle;
  CaSet trusts;
  std::optional<WorkloadCertFacts> workload;
  std::vector<std::string> trust_domains;
  CaSet trust_domain_cas; // the CAs at least one of whose trust domains the pod accepts
  // False when the dump has no clusters or listeners and no SPIFFE validator (e.g. a saved
  // secrets-only dump): what the pod accepts is then unknown, not "nothing".
  bool trust_domains_known = true;
  std::vector<ExpiringCert> expiring;
  std::vector<std::string> warnings;

  bool failed() const { return !error.empty(); }
  // The trust bundle's parts; empty without one.
  const std::vector<RootFacts>& roots() const;
  const x509::FingerprintSet& bundle() const;
  const std::vector<x509::Certificate>& bundle_certificates() const;
  // Every CA (CITADEL and MESHCA, whatever roots the pod trusts) none of whose trust domains the
  // pod accepts; empty when the trust domains are unknown.
  CaSet missing_trust_domains() const;
};

} // namespace meshca
