// Preflight, control-plane revisions: the role each revision's configuration gives it, and the
// settings of asmcli's ca-migration-citadel / ca-migration-meshca options on the revision the
// round moves to (anthos-service-mesh-packages asm/istio/options/ca-migration-*.yaml).
#include "meshca/checks/preflight_groups.h"

namespace meshca {
namespace {

struct Settings {
  const PreflightContext& context;
  const RevisionStatus& revision;
  PreflightGroup& group;
  CheckResult severity; // of a missing setting: failure on the step's revision

  std::string object() const { return "revision " + revision.name; }
  std::string where_env() const {
    return revision.ca.istiod_source.empty() ? "istiod" : revision.ca.istiod_source;
  }
  std::string where_mesh() const {
    return revision.ca.mesh_config_source.empty()
               ? "no mesh config found (ConfigMap istio-system/istio-" + revision.name + ")"
               : revision.ca.mesh_config_source;
  }
  void add(bool ok, std::string ok_text, std::string failed_text, std::string fix) {
    if (ok)
      group.checks.push_back({CheckResult::ok, object(), revision.name + ": " + ok_text, ""});
    else
      group.checks.push_back(
          {severity, object(), revision.name + ": " + failed_text, std::move(fix)});
  }
};

std::string reinstall(const char* install, const std::string& sets) {
  return std::string("reinstall the revision with ") + install + " (the option sets " + sets + ")";
}

std::string ready_text(const RevisionStatus& revision) {
  const DeploymentRef& istiod = *revision.istiod;
  return istiod.ns + "/" + istiod.name + " " + std::to_string(istiod.ready_replicas) + "/" +
         std::to_string(istiod.replicas) + " ready";
}

ClassifiedRoots ca_certificates(const PreflightContext& context, const RevisionStatus& revision,
                                PreflightGroup& group, CheckResult severity) {
  ClassifiedRoots all;
  for (std::size_t i = 0; i < revision.ca.ca_certificates.size(); ++i) {
    const std::string what =
        "meshConfig.caCertificates[" + std::to_string(i) + "] of revision " + revision.name;
    ClassifiedRoots roots =
        classify_roots(revision.ca.ca_certificates[i], what, context.recognizer);
    if (!roots.error.empty()) {
      group.checks.push_back({severity, "revision " + revision.name, roots.error,
                              "replace the PEM in " + revision.ca.mesh_config_source +
                                  " (istiod cannot hand out a root it cannot read)"});
      continue;
    }
    for (const x509::Certificate& certificate : roots.certificates) {
      all.classes.add(context.recognizer.classify(certificate));
      all.certificates.push_back(certificate);
    }
  }
  return all;
}

bool distributes_some(const RevisionCa& ca) {
  return ca.multi_root || ca.xds_agent || !ca.ca_certificates.empty();
}

std::string role_of(const RevisionStatus& revision, const ClassifiedRoots& extra) {
  if (revision.issuer == "MESHCA")
    return revision.ca.multi_root ? "Mesh CA, migration (hands out the Citadel root too)"
                                  : "Mesh CA";
  const std::string ca = revision.issuer.empty() ? "CA not stated by its objects" : "Citadel CA";
  if (revision.ca.multi_root && revision.ca.xds_agent && extra.classes.meshca)
    return ca + ", distributing the Mesh CA root";
  if (distributes_some(revision.ca))
    return ca + ", partly configured to distribute the Mesh CA root";
  return ca;
}

// The two settings both options set so that istiod hands out, and pilot-agent takes, more than
// istiod's own root; `without_*` says what a missing one breaks in this round.
void multi_root_settings(Settings& s, const char* install, const std::string& without_multi_root,
                         const std::string& without_xds_agent) {
  const RevisionCa& ca = s.revision.ca;
  s.add(ca.multi_root, "istiod env ISTIO_MULTIROOT_MESH=true (" + s.where_env() + ")",
        "istiod env ISTIO_MULTIROOT_MESH is not true (" + s.where_env() +
            "): " + without_multi_root,
        reinstall(install, "values.pilot.env.ISTIO_MULTIROOT_MESH=true"));
  s.add(ca.xds_agent,
        "meshConfig.defaultConfig.proxyMetadata.PROXY_CONFIG_XDS_AGENT=true (" + s.where_mesh() +
            ")",
        "meshConfig.defaultConfig.proxyMetadata.PROXY_CONFIG_XDS_AGENT is not true (" +
            s.where_mesh() + "): " + without_xds_agent,
        reinstall(install, "meshConfig.defaultConfig.proxyMetadata.PROXY_CONFIG_XDS_AGENT"));
}

void round1_settings(Settings& s, const ClassifiedRoots& extra) {
  const RevisionCa& ca = s.revision.ca;
  if (s.revision.issuer == "MESHCA")
    s.add(false, "",
          "issues Mesh CA certificates (" + s.revision.issuer_source +
              "); round 1 needs a revision that still issues Citadel certificates",
          std::string("install a round-1 revision: ") + kInstallRound1);
  else
    s.add(ca.ca_server, "issues Citadel certificates (istiod's own CA is on)",
          "istiod env ENABLE_CA_SERVER=false (" + s.where_env() +
              "): it issues no Citadel certificates, and round 1 keeps Citadel issuing",
          reinstall(kInstallRound1, "no ENABLE_CA_SERVER"));
  multi_root_settings(s, kInstallRound1,
                      "istiod hands its sidecars its own root only, so they will reject Mesh "
                      "CA-issued peers in round 2",
                      "pilot-agent does not take the extra roots from istiod, so its sidecars "
                      "keep the Citadel root only");
  s.add(extra.classes.meshca,
        "meshConfig.caCertificates holds " + extra.describe() + " (" + s.where_mesh() + ")",
        "meshConfig.caCertificates holds no Mesh CA root (" +
            (extra.certificates.empty() ? std::string("it is empty") : extra.describe()) + ", " +
            s.where_mesh() + "): its sidecars get no Mesh CA root",
        reinstall(kInstallRound1, "the Mesh CA root in meshConfig.caCertificates"));
}

void round2_settings(Settings& s, const std::string& citadel_domain) {
  const RevisionCa& ca = s.revision.ca;
  const std::string issuer_where =
      s.revision.issuer_source + (ca.ca_address.empty() ? "" : ", CA_ADDR " + ca.ca_address);
  s.add(s.revision.issuer == "MESHCA", "issues Mesh CA certificates (" + issuer_where + ")",
        "does not issue Mesh CA certificates (" +
            (s.revision.issuer.empty() ? std::string("its objects do not say")
                                       : s.revision.issuer + " from " + issuer_where) +
            "); round 2 needs a revision installed with --ca mesh_ca",
        std::string("install a round-2 revision: ") + kInstallRound2);
  s.add(!ca.ca_server, "istiod env ENABLE_CA_SERVER=false (" + s.where_env() + ")",
        "istiod env ENABLE_CA_SERVER is not false (" + s.where_env() +
            "): istiod also runs Istio's own CA, which mints a new root into istio-ca-secret "
            "when it restarts without the CA secrets (after cleanup-secrets)",
        reinstall(kInstallRound2, "values.pilot.env.ENABLE_CA_SERVER=false"));
  multi_root_settings(s, kInstallRound2,
                      "its sidecars get the Mesh CA roots only and reject Citadel-issued peers "
                      "until every workload has moved",
                      "pilot-agent does not take the Citadel root from istiod, so its sidecars "
                      "reject Citadel-issued peers");
  const std::string domain = ca.trust_domain.value_or("");
  s.add(domain.ends_with(".svc.id.goog"),
        "meshConfig.trustDomain " + domain + " (Mesh CA's workload identity pool)",
        "meshConfig.trustDomain is " +
            (domain.empty() ? std::string("not set (Istio's default cluster.local)")
                            : "\"" + domain + "\"") +
            " (" + s.where_mesh() +
            "): Mesh CA issues identities in PROJECT.svc.id.goog, which its sidecars would not "
            "accept as their own",
        std::string("asmcli sets it from the fleet project: ") + kInstallRound2);
  bool aliased = false;
  for (const std::string& alias : ca.trust_domain_aliases)
    aliased = aliased || alias == citadel_domain;
  s.add(aliased,
        "meshConfig.trustDomainAliases holds " + citadel_domain +
            " (Citadel-issued peers stay accepted)",
        "meshConfig.trustDomainAliases does not hold " + citadel_domain + " (" + s.where_mesh() +
            "): its sidecars' SAN matchers reject every Citadel-issued peer (spiffe://" +
            citadel_domain + "/...)",
        reinstall(kInstallRound2, "meshConfig.trustDomainAliases: [" + citadel_domain + "]"));
}

} // namespace

PreflightGroup check_revisions(const PreflightContext& context) {
  PreflightGroup group{"Control-plane revisions", {}};
  bool any = false;
  for (const RevisionStatus& revision : context.status.revisions) {
    if (!revision.istiod)
      continue;
    any = true;
    const bool target = context.revision == &revision;
    const CheckResult severity = PreflightContext::blocks_if(target);
    const ClassifiedRoots extra = ca_certificates(context, revision, group, severity);
    std::string line =
        revision.name + ": " + role_of(revision, extra) + " (" + ready_text(revision) + ")";
    if (target)
      line += context.step == PreflightStep::prune
                  ? ", the revision to prune"
                  : ", the revision " + std::string(to_string(context.step)) + " moves to";
    const bool serving = revision.istiod->ready_replicas > 0;
    group.checks.push_back(
        {serving ? CheckResult::ok : PreflightContext::blocks_if(target || revision.namespaces > 0),
         "revision " + revision.name,
         serving ? line
                 : line + ": istiod has no ready pod, so no sidecar gets configuration or "
                          "certificates from it",
         serving ? ""
                 : "kubectl -n " + revision.istiod->ns + " describe deployment " +
                       revision.istiod->name});
    Settings settings{context, revision, group, severity};
    if (target && context.step == PreflightStep::round1) {
      round1_settings(settings, extra);
    } else if (target && context.step == PreflightStep::round2) {
      round2_settings(settings, context.citadel_trust_domain);
    } else if (!target && revision.issuer != "MESHCA" && distributes_some(revision.ca)) {
      // Partly configured for round 1 but not the step's revision: its gaps are warnings.
      PreflightGroup scratch;
      Settings probe{context, revision, scratch, CheckResult::warning};
      round1_settings(probe, extra);
      for (PreflightCheck& check : scratch.checks)
        if (check.result != CheckResult::ok)
          group.checks.push_back(std::move(check));
    }
    if (context.step == PreflightStep::cleanup && revision.ca.runs_istio_ca())
      group.checks.push_back(
          {CheckResult::failure, "revision " + revision.name,
           revision.name + " runs Istio's own CA: once the CA secrets are gone it mints a new "
                           "root when istiod restarts, and no sidecar trusts it",
           "kubectl meshca prune-revision " + revision.name});
  }
  if (!any)
    group.checks.push_back({CheckResult::failure, "control plane", "no istiod is installed",
                            "install a control plane, then run kubectl meshca preflight"});
  if (context.is_round() && context.revision == nullptr)
    group.checks.push_back(
        {CheckResult::failure, "control plane",
         "no installed revision is ready for " + std::string(to_string(context.step)),
         std::string("install one: ") +
             (context.step == PreflightStep::round1 ? kInstallRound1 : kInstallRound2)});
  return group;
}

} // namespace meshca
