#include "meshca/checks/status_trust.h"

#include "meshca/util/words.h"

#include <algorithm>
#include <set>

namespace meshca {
namespace {

// Sidecars running per revision: "namespace (N)" and gateway entries, for naming both sides.
struct Running {
  std::size_t count = 0;
  std::vector<std::string> where;
};

std::map<std::string, Running> running_by_revision(const MeshStatus& status) {
  std::map<std::string, Running> running;
  for (const NamespaceStatus& ns : status.namespaces)
    for (const auto& [revision, count] : ns.pods)
      if (count > 0) {
        running[revision].count += static_cast<std::size_t>(count);
        running[revision].where.push_back(ns.injection.name + " (" + std::to_string(count) + ")");
      }
  for (const RevisionStatus& revision : status.revisions)
    for (const DeploymentRef& gateway : revision.gateways)
      if (gateway.ready_replicas > 0) {
        running[revision.name].count += static_cast<std::size_t>(gateway.ready_replicas);
        running[revision.name].where.push_back("gateway " + gateway.ns + "/" + gateway.name + " (" +
                                               std::to_string(gateway.ready_replicas) + ")");
      }
  return running;
}

} // namespace

const RevisionTrust* StatusTrust::find(const std::string& revision) const {
  auto it = revisions.find(revision);
  return it == revisions.end() ? nullptr : &it->second;
}

StatusTrust assess_status_trust(const MeshStatus& status) {
  StatusTrust trust;
  // Status reads configuration only: caCertificates roots are told apart by subject.
  const MeshCaRecognizer recognizer =
      MeshCaRecognizer::by_subject_cn("status classifies configured roots by subject");
  const bool secrets = !status.ca_secrets.empty();
  std::string newest_created;
  for (const RevisionStatus& revision : status.revisions) {
    if (!revision.istiod)
      continue;
    RevisionTrust predicted =
        revision_trust_from_config(revision.name, &revision.ca, secrets, recognizer);
    if (predicted.issues == CaSet{true, false} && predicted.trusts == CaSet{true, true} &&
        (!trust.root_distributing || revision.created >= newest_created)) {
      trust.root_distributing = revision.name;
      newest_created = revision.created;
    }
    trust.revisions.emplace(revision.name, std::move(predicted));
  }
  const std::map<std::string, Running> running = running_by_revision(status);
  std::set<std::string> citadel_only;
  for (const NamespaceStatus& ns : status.namespaces) {
    bool on_citadel_only = false;
    if (const RevisionTrust* target = trust.find(ns.injection.target))
      on_citadel_only = !target->trusts.meshca;
    for (const auto& [revision, count] : ns.pods)
      if (const RevisionTrust* r = trust.find(revision); r && count > 0 && !r->trusts.meshca)
        on_citadel_only = true;
    if (on_citadel_only)
      citadel_only.insert(ns.injection.name);
  }
  trust.citadel_only_namespaces.assign(citadel_only.begin(), citadel_only.end());
  for (const RevisionStatus& revision : status.revisions) {
    const RevisionTrust* r = trust.find(revision.name);
    if (r == nullptr || r->trusts.meshca)
      continue;
    for (const DeploymentRef& gateway : revision.gateways)
      if (gateway.replicas > 0)
        trust.citadel_only_gateways.push_back(gateway.ns + "/" + gateway.name + " (" +
                                              revision.name + ")");
  }
  // Broken now: revision A's sidecars hold certificates revision B's sidecars do not trust.
  // Mesh CA certificates beside Citadel-only sidecars (round 2 too early) are named first.
  std::vector<std::string> citadel_side;
  for (const auto& [a, a_running] : running)
    for (const auto& [b, b_running] : running) {
      const RevisionTrust* issuer = trust.find(a);
      const RevisionTrust* truster = trust.find(b);
      if (a == b || issuer == nullptr || truster == nullptr)
        continue;
      for (CaClass ca : {CaClass::citadel, CaClass::meshca})
        if (issuer->issues.has(ca) && !truster->trusts.has(ca)) {
          (ca == CaClass::meshca ? trust.broken : citadel_side)
              .push_back(std::to_string(a_running.count) + " sidecar(s) of " + a + " hold " +
                         std::string(to_string(ca)) + " certificates (" + join(a_running.where) +
                         ") that " + std::to_string(b_running.count) + " sidecar(s) of " + b +
                         " reject: they trust only " + truster->trusts.label() + " (" +
                         join(b_running.where) + ")");
          break;
        }
    }
  trust.broken.insert(trust.broken.end(), citadel_side.begin(), citadel_side.end());
  return trust;
}

} // namespace meshca
