#include "meshca/checks/pod_analysis.h"

#include "meshca/mesh/config_dump.h"

#include <algorithm>

namespace meshca {
namespace {

void note_expiry(const x509::Certificate& cert, std::string what, const AnalysisSettings& settings,
                 PodReport& report) {
  if (cert.not_after() <= settings.now + settings.expiry_warn)
    report.expiring.push_back({std::move(what), cert.not_after()});
}

x509::TimePoint latest_not_before(const std::vector<x509::Certificate>& chain) {
  x509::TimePoint latest = chain.front().not_before();
  for (const x509::Certificate& cert : chain)
    latest = std::max(latest, cert.not_before());
  return latest + std::chrono::seconds(1);
}

void analyze_roots(const std::shared_ptr<const ParsedBundle>& bundle,
                   const AnalysisSettings& settings, PodReport& report) {
  report.trust_bundle = bundle;
  report.trusts = bundle->cas;
  for (std::size_t i = 0; i < bundle->roots.size(); ++i)
    note_expiry(bundle->roots[i], "root " + bundle->facts[i].subject, settings, report);
}

void analyze_workload(const std::string& chain_pem, const ParsedBundle& bundle,
                      const AnalysisSettings& settings, PodReport& report) {
  auto chain = x509::read_pem_bundle(chain_pem, "workload certificate of pod \"" + report.ns + "/" +
                                                    report.name + "\"");
  if (!chain) {
    report.warnings.push_back(chain.error().message);
    return;
  }
  WorkloadCertFacts facts;
  const x509::Certificate& leaf = chain->front();
  facts.spiffe_id = leaf.spiffe_id().value_or("");
  facts.not_before = leaf.not_before();
  facts.not_after = leaf.not_after();
  facts.leaf_sha256 = leaf.fingerprint();
  facts.chain = x509::fingerprints(*chain);
  if (settings.keep_chain)
    facts.certificates = settings.chains != nullptr
                             ? settings.chains->intern(*chain, settings.now)
                             : std::make_shared<const std::vector<x509::Certificate>>(*chain);
  if (auto anchor = x509::verify_chain(*chain, bundle.roots, settings.now)) {
    facts.issuer = bundle.classes[*anchor];
  } else {
    facts.issuer_error = anchor.error().message;
    // Who issued an expired certificate is still a fact: verify at a moment inside every
    // certificate's validity, and keep the expiry as the reason it fails now.
    if (auto issued = x509::verify_chain(*chain, bundle.roots, latest_not_before(*chain)))
      facts.issuer = bundle.classes[*issued];
  }
  note_expiry(
      leaf, "workload certificate " + (facts.spiffe_id.empty() ? leaf.subject() : facts.spiffe_id),
      settings, report);
  report.workload = std::move(facts);
}

std::string pod_what(const PodReport& report) {
  return "pod \"" + report.ns + "/" + report.name + "\"";
}

} // namespace

void analyze_tls_state(Result<mesh::ProxyTlsState> state, TrustBundleCache& bundles,
                       const AnalysisSettings& settings, PodReport& report) {
  if (!state) {
    report.error = state.error().message;
    return;
  }
  report.warnings = state->warnings;
  report.trust_domains = state->trust_domains;
  report.trust_domains_known = state->has_clusters_or_listeners || !report.trust_domains.empty();
  report.trust_domain_cas = settings.trust_domain_owners.owners_of(report.trust_domains);
  if (!state->root_ca) {
    report.error =
        "no ROOTCA secret in the proxy's config dump (is the sidecar connected to istiod?)";
    return;
  }
  if (x509::find_end_line_run_on(state->root_ca->pem)) {
    // Envoy parses trusted_ca with PEM_X509_INFO_read_bio, which fails the whole bundle on such
    // a line (envoyproxy/envoy source/common/tls/cert_validator/default_validator.cc): the roots
    // shown in the dump are not the roots this proxy verifies peers with.
    report.error = "the trusted CA bundle of secret ROOTCA has a certificate whose END line runs "
                   "into the next BEGIN line (no newline between them); Envoy rejects such a "
                   "bundle, so this proxy cannot have loaded it (fix the bundle where it is made, "
                   "e.g. meshConfig caCertificates or the cacerts secret: a newline after every "
                   "-----END CERTIFICATE-----)";
    return;
  }
  auto bundle = bundles.get(state->root_ca->pem,
                            "ROOTCA trust bundle of pod \"" + report.ns + "/" + report.name + "\"");
  if (!bundle) {
    report.error = bundle.error().message;
    return;
  }
  analyze_roots(*bundle, settings, report);
  if (state->workload_chain)
    analyze_workload(state->workload_chain->pem, **bundle, settings, report);
}

void analyze_dump(std::string_view dump, TrustBundleCache& bundles,
                  const AnalysisSettings& settings, PodReport& report) {
  analyze_tls_state(mesh::parse_config_dump(dump, pod_what(report)), bundles, settings, report);
}

namespace {
const std::vector<RootFacts> kNoRootFacts;
const x509::FingerprintSet kNoFingerprints;
const std::vector<x509::Certificate> kNoCertificates;
} // namespace

const std::vector<RootFacts>& PodReport::roots() const {
  return trust_bundle ? trust_bundle->facts : kNoRootFacts;
}
const x509::FingerprintSet& PodReport::bundle() const {
  return trust_bundle ? trust_bundle->fingerprints : kNoFingerprints;
}
const std::vector<x509::Certificate>& PodReport::bundle_certificates() const {
  return trust_bundle ? trust_bundle->roots : kNoCertificates;
}

CaSet PodReport::missing_trust_domains() const {
  CaSet missing;
  if (!trust_domains_known)
    return missing;
  // Both, whatever the pod trusts: a pod that trusts only the Citadel root must still accept the
  // Mesh CA trust domain before the CA switch, or it rejects every Mesh CA peer.
  for (CaClass ca : {CaClass::citadel, CaClass::meshca})
    if (!trust_domain_cas.has(ca))
      missing.add(ca);
  return missing;
}

} // namespace meshca
