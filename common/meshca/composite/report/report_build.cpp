#include "meshca/composite/report/report_build.h"

#include "meshca/checks/mtls_matrix.h"

#include <algorithm>
#include <map>
#include <set>

namespace meshca {
namespace {

std::vector<ReportCount> largest_first(const std::map<std::string, std::size_t>& counts) {
  std::vector<ReportCount> out;
  for (const auto& [label, count] : counts)
    out.push_back({label, count});
  std::stable_sort(out.begin(), out.end(),
                   [](const ReportCount& a, const ReportCount& b) { return a.count > b.count; });
  return out;
}

bool in_scope(const ReportScope& scope, const std::string& ns) {
  return scope.namespaces.empty() ||
         std::find(scope.namespaces.begin(), scope.namespaces.end(), ns) != scope.namespaces.end();
}

ReportStep report_step(const MigrationStep& step, int number) {
  return {number,    step.id,      step.title,    std::string(to_string(step.state)),
          step.gate, step.command, step.evidence, step.details};
}

ReportCluster report_cluster(const ClusterPlan& plan, const ClusterFacts& facts,
                             const std::vector<std::string>& cluster_errors, ReportTime read_at) {
  ReportCluster c;
  c.context = plan.context;
  c.label = context_label(plan.context);
  c.read_at = read_at;
  c.phase = plan.phase;
  c.old_revisions = plan.revisions.old;
  c.round1_revision = plan.revisions.round1;
  c.round2_revision = plan.revisions.round2;
  for (std::size_t i = 0; i < plan.steps.size(); ++i)
    c.steps.push_back(report_step(plan.steps[i], static_cast<int>(i + 1)));
  c.sidecars = facts.sidecars.pods;
  c.unreadable = facts.sidecars.errors;
  const std::string prefix = "context \"" + plan.context + "\": ";
  for (const std::string& error : cluster_errors)
    if (plan.context.empty() || error.rfind(prefix, 0) == 0)
      c.error = error;
  const MigrationStep* next = plan.next();
  if (next != nullptr) {
    const auto number = static_cast<int>(next - plan.steps.data()) + 1;
    c.next = report_step(*next, number);
  }
  if (!c.error.empty()) {
    c.verdict = "unreadable";
    c.reason = c.error;
  } else if (next == nullptr) {
    c.verdict = "finished";
    c.reason = "every step is done";
  } else if (next->state == StepState::blocked || next->state == StepState::waiting) {
    c.verdict = next->state == StepState::blocked ? "blocked" : "waiting";
    c.reason = next->evidence;
  } else {
    c.verdict = "ready";
    c.reason = next->external ? "yours to run: " + next->title : next->title;
  }
  return c;
}

std::string injection_label(const NamespaceInjection& ns) {
  if (ns.injection_label)
    return "istio-injection=" + *ns.injection_label;
  if (ns.rev_label)
    return "istio.io/rev=" + *ns.rev_label;
  return "";
}

struct NamespaceTally {
  ReportNamespace ns;
  std::map<std::string, std::size_t> revisions, trust_sets, issuers;
};

std::vector<ReportNamespace> report_namespaces(const MeshReading& reading,
                                               const std::vector<PodReport>& pods,
                                               const ReportScope& scope) {
  std::map<std::pair<std::string, std::string>, NamespaceTally> tallies;
  auto tally = [&](const std::string& context, const std::string& name) -> NamespaceTally& {
    NamespaceTally& t = tallies[{context, name}];
    t.ns.context = context;
    t.ns.name = name;
    return t;
  };
  for (const ClusterFacts& facts : reading.facts)
    for (const NamespaceStatus& status : facts.status.namespaces)
      if (in_scope(scope, status.injection.name))
        tally(facts.context, status.injection.name).ns.injection =
            injection_label(status.injection);
  for (const std::string& name : scope.namespaces) // named ones are listed even when empty
    for (const ClusterFacts& facts : reading.facts)
      tally(facts.context, name);
  for (const PodReport& pod : pods) {
    NamespaceTally& t = tally(pod.context, pod.ns);
    ++t.ns.pods;
    ++t.revisions[pod.revision.empty() ? "default" : pod.revision];
    if (pod.failed()) {
      ++t.ns.unreadable;
      continue;
    }
    ++t.trust_sets[pod.trusts.label()];
    ++t.issuers[report_issuer(pod)];
    if (!pod.missing_trust_domains().empty())
      ++t.ns.trust_domain_gaps;
  }
  std::vector<ReportNamespace> out;
  for (auto& [key, t] : tallies) {
    t.ns.revisions = largest_first(t.revisions);
    t.ns.trust_sets = largest_first(t.trust_sets);
    t.ns.issuers = largest_first(t.issuers);
    out.push_back(std::move(t.ns));
  }
  return out;
}

std::string class_name(std::optional<CaClass> ca) {
  return ca ? std::string(to_string(*ca)) : "unknown";
}

ReportMtls report_mtls(const MtlsMatrix& matrix) {
  ReportMtls out;
  for (const MtlsGroup& g : matrix.groups)
    out.groups.push_back({g.id, g.pods, g.trusts.label(), class_name(g.issuer), g.example_pod});
  out.accepts = matrix.accepts;
  out.reasons = matrix.reasons;
  return out;
}

void add_seen(ReportCertificate& cert, const PodReport& pod) {
  if (cert.pods++ == 0)
    cert.example_pod = pod.ns + "/" + pod.name;
  if (std::find(cert.contexts.begin(), cert.contexts.end(), pod.context) == cert.contexts.end())
    cert.contexts.push_back(pod.context);
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Every root and intermediate the scoped sidecars trust or hold, and the earliest-expiring
// workload certificate of each SPIFFE ID (the first few of them).
std::vector<ReportCertificate> report_certificates(const std::vector<PodReport>& pods) {
  std::map<std::string, ReportCertificate> roots, intermediates, workloads;
  for (const PodReport& pod : pods) {
    for (const RootFacts& root : pod.roots()) {
      ReportCertificate& cert = roots[lower(root.sha256)];
      cert.kind = "root";
      cert.subject = root.subject;
      cert.ca = std::string(to_string(root.ca));
      cert.sha256 = lower(root.sha256);
      cert.not_after = root.not_after;
      add_seen(cert, pod);
    }
    if (!pod.workload)
      continue;
    const WorkloadCertFacts& w = *pod.workload;
    const std::size_t links = w.certificates ? w.certificates->size() : 0;
    for (std::size_t i = 1; i < links; ++i) { // the issuing chain, the same for every pod it issued
      const x509::Certificate& link = (*w.certificates)[i];
      const std::string fingerprint = lower(link.fingerprint());
      if (roots.count(fingerprint) > 0 || link.is_self_signed())
        continue; // a root sent along with the chain
      ReportCertificate& cert = intermediates[fingerprint];
      cert.kind = "intermediate";
      cert.subject = link.subject();
      cert.ca = w.issuer ? std::string(to_string(*w.issuer)) : "";
      cert.sha256 = fingerprint;
      cert.not_after = link.not_after();
      add_seen(cert, pod);
    }
    const std::string id = w.spiffe_id.empty() ? pod.ns + "/" + pod.name : w.spiffe_id;
    auto found = workloads.find(id);
    if (found == workloads.end() || w.not_after < found->second.not_after) {
      ReportCertificate cert;
      cert.kind = "workload";
      cert.subject = id;
      cert.ca = w.issuer ? std::string(to_string(*w.issuer)) : "";
      cert.sha256 = lower(w.leaf_sha256);
      cert.not_after = w.not_after;
      // Renewed at half its lifetime (SECRET_GRACE_PERIOD_RATIO).
      cert.renew_by = w.not_before + (w.not_after - w.not_before) / 2;
      if (found != workloads.end()) {
        cert.pods = found->second.pods;
        cert.contexts = found->second.contexts;
      }
      workloads[id] = cert;
    }
    add_seen(workloads[id], pod);
    workloads[id].example_pod = pod.ns + "/" + pod.name;
  }
  auto by_expiry = [](const ReportCertificate& a, const ReportCertificate& b) {
    return a.not_after < b.not_after;
  };
  std::vector<ReportCertificate> out;
  for (auto* group : {&roots, &intermediates}) {
    std::vector<ReportCertificate> sorted;
    for (auto& [key, cert] : *group)
      sorted.push_back(std::move(cert));
    std::stable_sort(sorted.begin(), sorted.end(), by_expiry);
    out.insert(out.end(), sorted.begin(), sorted.end());
  }
  std::vector<ReportCertificate> earliest;
  for (auto& [key, cert] : workloads)
    earliest.push_back(std::move(cert));
  std::stable_sort(earliest.begin(), earliest.end(), by_expiry);
  if (earliest.size() > kReportWorkloadCertificates)
    earliest.resize(kReportWorkloadCertificates);
  out.insert(out.end(), earliest.begin(), earliest.end());
  return out;
}

std::string finding_result(CheckResult result) {
  switch (result) {
  case CheckResult::failure:
    return "FAIL";
  case CheckResult::warning:
    return "warn";
  case CheckResult::ok:
    break;
  }
  return "ok";
}

// The preflight of the round in progress: round 2 once its revision is installed.
std::optional<ReportPreflight> report_preflight(const ClusterFacts& facts) {
  const std::optional<PreflightReport>& chosen =
      facts.preflight_round2 ? facts.preflight_round2 : facts.preflight_round1;
  if (!chosen)
    return std::nullopt;
  ReportPreflight out;
  out.context = facts.context;
  out.step = std::string(to_string(chosen->step));
  out.revision = chosen->revision;
  out.verdict = chosen->verdict();
  for (CheckResult wanted : {CheckResult::failure, CheckResult::warning, CheckResult::ok})
    for (const PreflightGroup& group : chosen->groups)
      for (const PreflightCheck& check : group.checks)
        if (check.result == wanted)
          out.findings.push_back(
              {finding_result(check.result), group.title, check.object, check.text, check.fix});
  return out;
}

ReportPod report_pod(const PodReport& pod) {
  ReportPod out;
  out.context = pod.context;
  out.ns = pod.ns;
  out.name = pod.name;
  out.revision = pod.revision;
  out.error = pod.error;
  if (pod.failed())
    return out;
  out.trusts = pod.trusts.label();
  out.issuer = report_issuer(pod);
  if (pod.workload) {
    out.spiffe_id = pod.workload->spiffe_id;
    out.cert_not_after = pod.workload->not_after;
  }
  out.trust_domains = pod.trust_domains;
  return out;
}

} // namespace

std::string report_issuer(const PodReport& pod) {
  if (!pod.workload)
    return "none";
  return class_name(pod.workload->issuer);
}

MigrationReport build_report(const MeshReading& reading, const ReportScope& scope,
                             ReportTime read_at) {
  MigrationReport report;
  report.generated_at = read_at;
  report.scope = scope.namespaces;
  report.expiry_warning = scope.expiry_warning;
  const std::vector<std::string> no_errors;
  const CheckRootResult* check = reading.sidecars ? &*reading.sidecars : nullptr;
  for (std::size_t i = 0; i < reading.plans.size(); ++i) {
    report.clusters.push_back(report_cluster(reading.plans[i], reading.facts[i],
                                             check ? check->cluster_errors : no_errors, read_at));
    if (auto preflight = report_preflight(reading.facts[i]))
      report.preflight.push_back(std::move(*preflight));
    for (const LedgerStep& step : reading.ledgers[i].steps)
      report.ledger.push_back({reading.facts[i].context, step.id, step.revision, step.time,
                               step.user, step.command, step.evidence, step.sha256});
  }
  std::vector<PodReport> pods;
  if (check != nullptr) {
    for (const PodReport& pod : check->pods)
      if (in_scope(scope, pod.ns))
        pods.push_back(pod);
    report.warnings = check->warnings;
    report.warnings.insert(report.warnings.end(), check->cluster_errors.begin(),
                           check->cluster_errors.end());
  } else {
    report.warnings.push_back("the sidecars could not be read: sections 2 to 4 are empty");
  }
  report.namespaces = report_namespaces(reading, pods, scope);
  const MtlsMatrix matrix = build_mtls_matrix(pods, read_at);
  if (!matrix.groups.empty())
    report.mtls = report_mtls(matrix);
  report.certificates = report_certificates(pods);
  for (const PodReport& pod : pods)
    report.pods.push_back(report_pod(pod));
  return report;
}

} // namespace meshca
