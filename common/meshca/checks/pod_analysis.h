#pragma once
// Turns one proxy's config dump into a PodReport: the roots it trusts and their classes, the issuer
// of its workload certificate (by OpenSSL chain verification against the pod's own roots), the
// trust domains it accepts, and the certificates about to expire.

#include "meshca/checks/chain_pool.h"
#include "meshca/checks/pod_report.h"
#include "meshca/mesh/config_dump.h"
#include "meshca/mesh/trust_bundle_cache.h"
#include "meshca/mesh/trust_domain_owners.h"

#include <chrono>
#include <string_view>

namespace meshca {

struct AnalysisSettings {
  x509::TimePoint now = std::chrono::system_clock::now();
  std::chrono::hours expiry_warn{60 * 24};
  // Keep each pod's parsed workload chain (for the mTLS matrix). Parsed certificates cost ~2.7 KB
  // each in OpenSSL, over half of check-root's heap on a large mesh, so they are dropped unless
  // needed; the chain's fingerprints are always kept.
  bool keep_chain = true;
  // With keep_chain: share one chain per issuing chain among pods (check-root --mtls) instead of
  // keeping each pod's own.
  ChainPool* chains = nullptr;
  // Which CA each accepted trust domain belongs to (the cluster's mesh config; cluster.local as
  // Citadel's offline).
  TrustDomainOwners trust_domain_owners;
};

// Fills `report` (whose identity fields are already set) from the dump text. A dump that cannot
// be parsed, or that holds no ROOTCA secret, sets report.error instead.
void analyze_dump(std::string_view dump, TrustBundleCache& bundles,
                  const AnalysisSettings& settings, PodReport& report);
// The same for a proxy's state already read (DumpFetcher::read_tls_state); its error, if any,
// becomes report.error.
void analyze_tls_state(Result<mesh::ProxyTlsState> state, TrustBundleCache& bundles,
                       const AnalysisSettings& settings, PodReport& report);

} // namespace meshca
