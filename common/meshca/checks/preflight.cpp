#include "meshca/checks/preflight.h"

#include "meshca/checks/preflight_groups.h"
#include "meshca/checks/status_phase.h"
#include "meshca/checks/status_trust.h"

namespace meshca {
namespace {

// Istio's default trust domain (pkg/config/mesh DefaultMeshConfig: TrustDomain "cluster.local").
constexpr const char* kDefaultTrustDomain = "cluster.local";

std::string citadel_trust_domain(const MeshStatus& status) {
  for (const RevisionStatus& revision : status.revisions)
    if (revision.istiod && revision.issuer != "MESHCA" && revision.ca.trust_domain &&
        !revision.ca.trust_domain->empty())
      return *revision.ca.trust_domain;
  return kDefaultTrustDomain;
}

// The revision a step acts on when --revision does not say: status's choice for the next step,
// else the newest revision fit for the round, or the oldest one for a prune.
std::string default_revision(const MeshStatus& status, PreflightStep step) {
  if (to_string(step) == status.step)
    return status.step_revision;
  const std::vector<const RevisionStatus*> order = installed_in_order(status);
  switch (step) {
  case PreflightStep::round1:
    return assess_status_trust(status).root_distributing.value_or("");
  case PreflightStep::round2:
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      if ((*it)->issuer == "MESHCA")
        return (*it)->name;
    return "";
  case PreflightStep::prune:
    return order.size() > 1 ? order.front()->name : "";
  case PreflightStep::cleanup:
    return "";
  }
  return "";
}

Result<const RevisionStatus*> named_revision(const MeshStatus& status, const std::string& name) {
  std::string revision = name;
  for (const TagStatus& tag : status.tags)
    if (tag.name == name && (status.find(name) == nullptr || !status.find(name)->istiod))
      revision = tag.revision;
  const RevisionStatus* found = status.find(revision);
  if (found != nullptr && found->istiod)
    return found;
  std::string installed;
  for (const RevisionStatus* r : installed_in_order(status))
    installed += (installed.empty() ? "" : ", ") + r->name;
  return bad_input("--revision \"" + name + "\" is not an installed revision or tag" +
                   (installed.empty() ? std::string(" (no istiod is installed)")
                                      : " (installed: " + installed + ")") +
                   "; kubectl meshca status lists them");
}

} // namespace

std::string ClassifiedRoots::describe() const {
  if (!error.empty())
    return error;
  return classes.label() + ": " + std::to_string(certificates.size()) +
         (certificates.size() == 1 ? " root" : " roots");
}

ClassifiedRoots classify_roots(const std::string& pem, const std::string& what,
                               const MeshCaRecognizer& recognizer) {
  ClassifiedRoots roots;
  auto certificates = x509::read_pem_bundle(pem, what);
  if (!certificates) {
    roots.error = certificates.error().message;
    return roots;
  }
  roots.certificates = std::move(*certificates);
  for (const x509::Certificate& certificate : roots.certificates)
    roots.classes.add(recognizer.classify(certificate));
  return roots;
}

Result<PreflightReport> evaluate_preflight(const PreflightSnapshot& snapshot,
                                           const PreflightRequest& request,
                                           const MeshCaRecognizer& recognizer) {
  MeshStatus status = build_status(snapshot.status.inputs());
  decide_phase(status);
  PreflightReport report;
  report.phase = status.phase;
  if (request.step) {
    report.step = *request.step;
    report.step_source = "--for";
  } else {
    report.step = parse_preflight_step(status.step).value_or(PreflightStep::round1);
    report.step_source = "the next step: phase " + status.phase;
  }
  const RevisionStatus* revision = nullptr;
  if (request.revision) {
    MESHCA_TRY_ASSIGN(revision, named_revision(status, *request.revision));
  } else if (std::string name = default_revision(status, report.step); !name.empty()) {
    revision = status.find(name);
  }
  if (revision != nullptr)
    report.revision = revision->name;
  const PreflightContext context{status,      snapshot, recognizer,
                                 report.step, revision, citadel_trust_domain(status)};
  report.groups = {check_revisions(context), check_namespaces(context), check_webhooks(context),
                   check_gateways(context), check_ca_secrets(context)};
  return report;
}

} // namespace meshca
