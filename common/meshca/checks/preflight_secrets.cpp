// Preflight, the Citadel CA secrets in istio-system. While a revision runs Istio's own CA they
// must be there (istiod mints a new root into istio-ca-secret when it starts without cacerts or
// istio-ca-secret: pilot/pkg/bootstrap/istio_ca.go), and the root istiod signs with (cacerts'
// root-cert.pem when cacerts exists, it wins; else istio-ca-secret's ca-cert.pem) must be the
// Citadel root the sidecars trust (the istio-ca-root-cert ConfigMaps). For the cleanup: no
// revision may still run Istio's CA and no sidecar may still hold a Citadel certificate.
#include "meshca/checks/preflight_groups.h"
#include "meshca/util/words.h"

namespace meshca {
namespace {

// Citadel roots the sidecars are handed: istio-system's ConfigMap and those of namespaces whose
// revision runs Istio's CA. Fingerprint → where it was seen.
std::map<std::string, std::string> trusted_citadel_roots(const PreflightContext& context) {
  std::vector<std::string> namespaces = {"istio-system"}; // named first when it holds the root
  for (const NamespaceStatus& ns : context.status.namespaces) {
    const RevisionStatus* serving = context.status.find(ns.injection.target);
    if (serving != nullptr && serving->ca.runs_istio_ca())
      namespaces.push_back(ns.injection.name);
  }
  std::map<std::string, std::string> roots;
  for (const std::string& ns : namespaces) {
    auto found = context.snapshot.root_certs.find(ns);
    if (found == context.snapshot.root_certs.end())
      continue;
    const std::string where = "ConfigMap " + ns + "/istio-ca-root-cert";
    const ClassifiedRoots classified = classify_roots(found->second, where, context.recognizer);
    for (const x509::Certificate& root : classified.certificates)
      if (context.recognizer.classify(root) == CaClass::citadel)
        roots.emplace(root.fingerprint(), where);
  }
  return roots;
}

void cleanup_checks(const PreflightContext& context, PreflightGroup& group) {
  std::vector<std::string> citadel_pods;
  for (const NamespaceStatus& ns : context.status.namespaces)
    for (const auto& [revision, count] : ns.pods) {
      const RevisionStatus* r = context.status.find(revision);
      if (count > 0 && (r == nullptr || r->issuer != "MESHCA"))
        citadel_pods.push_back(ns.injection.name + ": " + std::to_string(count) + " on " +
                               revision);
    }
  if (!citadel_pods.empty())
    group.checks.push_back(
        {CheckResult::failure, "sidecars",
         "sidecars that may hold Citadel certificates still run (" + join(citadel_pods) +
             "); once the Citadel root is gone their peers reject them",
         "move them to the Mesh CA revision (kubectl meshca rollout NAMESPACE...), then "
         "kubectl meshca check-root -A --workload-cert --require MESHCA"});
  if (context.status.ca_secrets.empty())
    group.checks.push_back(
        {CheckResult::ok, "secrets", "the CA secrets are gone from istio-system", ""});
  else
    group.checks.push_back({CheckResult::ok, "secrets",
                            join(context.status.ca_secrets) +
                                " present: cleanup-secrets backs them up, then deletes them",
                            ""});
}

} // namespace

PreflightGroup check_ca_secrets(const PreflightContext& context) {
  PreflightGroup group{"CA secrets", {}};
  std::vector<std::string> issuing; // revisions that run Istio's own CA
  for (const RevisionStatus& revision : context.status.revisions)
    if (revision.istiod && revision.ca.runs_istio_ca())
      issuing.push_back(revision.name);
  if (context.step == PreflightStep::cleanup) {
    cleanup_checks(context, group);
    return group;
  }
  if (issuing.empty()) {
    group.checks.push_back(
        {CheckResult::ok, "secrets",
         "no revision runs Istio's own CA" + (context.status.ca_secrets.empty()
                                                  ? std::string(" and the CA secrets are gone")
                                                  : ": " + join(context.status.ca_secrets) +
                                                        " wait for kubectl meshca cleanup-secrets"),
         ""});
    return group;
  }
  if (context.status.ca_secrets.empty()) {
    group.checks.push_back(
        {CheckResult::failure, "secrets",
         "neither cacerts nor istio-ca-secret is in istio-system while " + join(issuing) +
             (issuing.size() == 1 ? " runs" : " run") +
             " Istio's own CA: istiod mints a new root when it restarts, and no running sidecar "
             "trusts it",
         "restore them from the backup: kubectl meshca cleanup-secrets --restore DIR"});
    return group;
  }
  const std::map<std::string, std::string> trusted = trusted_citadel_roots(context);
  // istiod signs with cacerts when it exists (a plug-in CA), else with istio-ca-secret.
  const std::string active =
      context.snapshot.ca_secret_roots.count("cacerts") ? "cacerts" : "istio-ca-secret";
  for (const auto& [secret, pem] : context.snapshot.ca_secret_roots) {
    const std::string object = "secret istio-system/" + secret;
    const ClassifiedRoots root =
        classify_roots(pem, object + " root certificate", context.recognizer);
    if (!root.error.empty() || root.certificates.empty()) {
      group.checks.push_back({secret == active ? CheckResult::failure : CheckResult::warning,
                              object, root.error,
                              "restore the secret from the backup you made before the "
                              "migration"});
      continue;
    }
    const x509::Certificate& certificate = root.certificates.front();
    const std::string head = object + " (root " + certificate.subject() + ", SHA-256 " +
                             certificate.fingerprint_colons() + ")";
    auto seen = trusted.find(certificate.fingerprint());
    if (secret != active) {
      group.checks.push_back(
          {CheckResult::ok, object, head + ": present; istiod signs with cacerts, which wins", ""});
    } else if (seen != trusted.end()) {
      group.checks.push_back({CheckResult::ok, object,
                              head +
                                  ": the root istiod signs with, the Citadel root sidecars "
                                  "trust (" +
                                  seen->second + ")",
                              ""});
    } else if (trusted.empty()) {
      group.checks.push_back({CheckResult::warning, object,
                              head + ": no istio-ca-root-cert ConfigMap holds a Citadel root to "
                                     "compare it with",
                              "kubectl -n istio-system get configmap istio-ca-root-cert"});
    } else {
      group.checks.push_back(
          {CheckResult::failure, object,
           head + ": not the Citadel root the sidecars trust (" + trusted.begin()->second +
               " holds SHA-256 " + trusted.begin()->first +
               "): certificates istiod issues are rejected by every running sidecar",
           "find out which root is right before any restart: openssl x509 -noout -fingerprint "
           "-sha256 on both; restore the secret from the backup if it was replaced"});
    }
  }
  return group;
}

} // namespace meshca
