#include "meshca/checks/status_phase.h"

#include "meshca/checks/status_trust.h"
#include "meshca/util/words.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace meshca {
namespace {

constexpr const char* kMoveTo = " -o name | kubectl meshca rollout -";

int round_for(const RevisionStatus& target) {
  return target.issuer == "MESHCA" ? 2 : 1;
}

std::string step_of_round(int round) {
  return round == 2 ? "round2" : "round1";
}

std::string gate_for_round(int round) {
  return round == 2 ? "kubectl meshca check-root -A --workload-cert --mtls"
                    : "kubectl meshca check-root -A --require CITADEL,MESHCA";
}

std::string move_to(const std::vector<std::string>& namespaces, const std::string& revision) {
  return "kubectl meshca relabel ns " + join(namespaces, " ") + " --revision " + revision + kMoveTo;
}

std::string install_root_distributing() {
  return "install a revision that issues Citadel certificates and hands out both roots: asmcli "
         "install --ca citadel --option ca-migration-citadel --revision_name REV (round 1), then "
         "run kubectl meshca status";
}

// Round 1 first: the Citadel-only namespaces (and gateways) to the root-distributing revision,
// or installing one. Replaces any advice that would move a namespace to Mesh CA certificates.
void advise_round1(MeshStatus& status, const StatusTrust& trust) {
  status.next.clear();
  status.step = "round1";
  status.step_revision = trust.root_distributing.value_or("");
  if (!trust.root_distributing) {
    status.next.push_back(install_root_distributing());
    return;
  }
  if (!trust.citadel_only_namespaces.empty())
    status.next.push_back(move_to(trust.citadel_only_namespaces, *trust.root_distributing));
  for (const std::string& gateway : trust.citadel_only_gateways)
    status.next.push_back("move gateway " + gateway + " to " + *trust.root_distributing +
                          " (its Deployment's istio.io/rev label)");
  status.next.push_back("kubectl meshca check-root -A --require CITADEL,MESHCA");
}

bool issues_meshca(const StatusTrust& trust, const std::string& revision) {
  const RevisionTrust* r = trust.find(revision);
  return r == nullptr || r->issues.meshca; // unknown: counted as Mesh CA, as the gate does
}

std::string round1_pending(const StatusTrust& trust) {
  std::vector<std::string> where = trust.citadel_only_namespaces;
  for (const std::string& gateway : trust.citadel_only_gateways)
    where.push_back("gateway " + gateway);
  return "round 1 has not finished: sidecars that trust only Citadel remain in " +
         join(where, ", ");
}

// The single revision every labelled namespace and sidecar is on, when there is one.
struct Usage {
  std::set<std::string> targets;     // where labels send new pods
  std::vector<std::string> lagging;  // namespaces with sidecars from another revision
  std::vector<std::string> labelled; // namespaces with injection labels
};

Usage usage_of(const MeshStatus& status) {
  Usage usage;
  for (const NamespaceStatus& ns : status.namespaces) {
    const std::string& target = ns.injection.target;
    if (!target.empty()) {
      usage.targets.insert(target);
      usage.labelled.push_back(ns.injection.name);
    }
    for (const auto& [revision, count] : ns.pods)
      if (count > 0 && !target.empty() && revision != target) {
        usage.lagging.push_back(ns.injection.name);
        break;
      }
  }
  return usage;
}

void relabelling(MeshStatus& status, const Usage& usage,
                 const std::vector<const RevisionStatus*>& order, const StatusTrust& trust) {
  const RevisionStatus* newest = nullptr;
  for (const RevisionStatus* revision : order)
    if (usage.targets.count(revision->name) != 0)
      newest = revision;
  if (newest == nullptr) { // labels name revisions without an istiod; warnings say which
    status.phase = "relabelling";
    status.summary = "namespaces point at several revisions";
    return;
  }
  std::vector<std::string> behind;
  for (const NamespaceStatus& ns : status.namespaces)
    if (!ns.injection.target.empty() && ns.injection.target != newest->name)
      behind.push_back(ns.injection.name);
  status.phase = "relabelling";
  status.round = round_for(*newest);
  status.step = step_of_round(status.round);
  status.step_revision = newest->name;
  status.summary = std::to_string(behind.size()) + " namespace" + (behind.size() == 1 ? "" : "s") +
                   " still point at an older revision than " + newest->name + ": " +
                   join(behind, ", ");
  status.next.push_back("kubectl meshca relabel ns " + join(behind, " ") + " --revision " +
                        newest->name + kMoveTo);
  if (issues_meshca(trust, newest->name) && !trust.round1_holds()) {
    // The gate refuses a move to Mesh CA certificates while any sidecar trusts only Citadel.
    status.round = 1;
    status.summary = round1_pending(trust) + "; no namespace can move to " + newest->name +
                     " (Mesh CA certificates) before every sidecar trusts the Mesh CA root";
    advise_round1(status, trust);
  }
}

void settled(MeshStatus& status, const std::string& current,
             const std::vector<const RevisionStatus*>& order, const StatusTrust& trust) {
  auto at = std::find_if(order.begin(), order.end(),
                         [&](const RevisionStatus* r) { return r->name == current; });
  const RevisionStatus* target = at == order.end() ? nullptr : *at;
  if (target == nullptr) {
    status.phase = "not-started";
    status.summary = "no namespace uses an installed revision";
    return;
  }
  status.round = round_for(*target);
  if (at != order.begin()) {
    const RevisionStatus* oldest = order.front();
    status.phase = "old-revision-installed";
    status.step = "prune";
    status.step_revision = oldest->name;
    status.summary = "every namespace uses " + current + "; the older revision " + oldest->name +
                     " is still installed";
    status.next = {gate_for_round(status.round)};
    for (const std::string& tag : oldest->tags) // prune-revision refuses while a tag points there
      status.next.push_back("istioctl tag set " + tag + " --revision " + current + " --overwrite");
    status.next.push_back("kubectl meshca prune-revision " + oldest->name);
    return;
  }
  if (at + 1 != order.end()) {
    const RevisionStatus* next = *(at + 1);
    status.phase = "ready-to-relabel";
    status.round = round_for(*next);
    status.step = step_of_round(status.round);
    status.step_revision = next->name;
    status.summary =
        "every namespace uses " + current + "; " + next->name + " is installed for round " +
        std::to_string(status.round) +
        (status.round == 2 ? " (Mesh CA certificates)" : " (distribute the Mesh CA root)");
    if (status.round == 2)
      status.next.push_back("kubectl meshca check-root -A --require CITADEL,MESHCA");
    status.next.push_back("kubectl meshca relabel ns --all --revision " + next->name + kMoveTo);
    if (issues_meshca(trust, next->name) && !trust.round1_holds()) {
      status.round = 1;
      status.summary = "every namespace uses " + current + ", whose sidecars trust only Citadel; " +
                       next->name + " (Mesh CA certificates) needs round 1 first";
      advise_round1(status, trust);
    }
    return;
  }
  if (target->issuer != "MESHCA") {
    status.phase = "not-started";
    status.round = 0;
    status.step = "round1";
    status.summary =
        "every namespace uses " + current + ", which issues " +
        (target->issuer.empty() ? "certificates from an unknown CA" : "Citadel certificates") +
        "; no migration revision is installed";
    status.next.push_back("install a revision with --ca citadel --option ca-migration-citadel "
                          "(round 1), then run kubectl meshca status");
    return;
  }
  for (const RevisionStatus* revision : order)
    if (revision->ca.runs_istio_ca()) { // cleanup-secrets refuses while one is installed
      status.phase = "old-revision-installed";
      status.step = "prune";
      status.step_revision = revision->name;
      status.summary = "every namespace uses " + current + "; revision " + revision->name +
                       " still runs Istio's own CA (it would mint a new root without the CA "
                       "secrets)";
      status.next = {"kubectl meshca prune-revision " + revision->name};
      return;
    }
  if (!status.ca_secrets.empty()) {
    status.phase = "ready-for-cleanup";
    status.step = "cleanup";
    status.summary = "every namespace uses " + current + " (Mesh CA); the Citadel CA secrets " +
                     join(status.ca_secrets, ", ") + " are still in istio-system";
    status.next = {"kubectl meshca check-root -A --workload-cert --require MESHCA",
                   "kubectl meshca cleanup-secrets --backup-dir ./meshca-ca-backup"};
    return;
  }
  status.phase = "complete";
  status.step = "cleanup";
  status.summary =
      "every namespace uses " + current + " (Mesh CA) and the Citadel CA secrets are gone";
  status.next = {"kubectl meshca check-root -A --forbid CITADEL"};
}

} // namespace

std::vector<const RevisionStatus*> installed_in_order(const MeshStatus& status) {
  std::vector<const RevisionStatus*> order;
  for (const RevisionStatus& revision : status.revisions)
    if (revision.istiod)
      order.push_back(&revision);
  // The migration's own order first (plain Citadel, then Citadel configured to hand out the Mesh
  // CA root, then Mesh CA), so revisions installed in the same second still sort right.
  auto key = [](const RevisionStatus* r) {
    const bool distributes = r->issuer != "MESHCA" && (r->ca.multi_root || r->ca.xds_agent ||
                                                       !r->ca.ca_certificates.empty());
    return std::make_tuple(r->issuer == "MESHCA", distributes, r->created, r->name);
  };
  std::stable_sort(
      order.begin(), order.end(),
      [&](const RevisionStatus* a, const RevisionStatus* b) { return key(a) < key(b); });
  return order;
}

void decide_phase(MeshStatus& status) {
  const std::vector<const RevisionStatus*> order = installed_in_order(status);
  if (order.empty()) {
    status.phase = "no-control-plane";
    status.step = "round1";
    status.summary = "no istiod Deployment is installed";
    status.next.push_back("install a control plane, then run kubectl meshca status");
    return;
  }
  const StatusTrust trust = assess_status_trust(status);
  if (!trust.broken.empty()) {
    status.phase = "mtls-broken";
    status.round = 1;
    status.summary =
        "sidecars that cannot authenticate each other are running: " + trust.broken.front();
    for (const std::string& line : trust.broken)
      status.warnings.push_back("mTLS broken: " + line);
    advise_round1(status, trust);
    return;
  }
  const Usage usage = usage_of(status);
  if (usage.targets.size() > 1) {
    relabelling(status, usage, order, trust);
    return;
  }
  if (!usage.lagging.empty()) {
    const std::string target = *usage.targets.begin();
    status.phase = "rollout-pending";
    const RevisionStatus* revision = status.find(target);
    status.round = revision != nullptr ? round_for(*revision) : 0;
    status.step = step_of_round(status.round);
    status.step_revision = target;
    status.summary = "namespaces point at " + target +
                     " but still run sidecars from another "
                     "revision: " +
                     join(usage.lagging, ", ");
    status.next.push_back("kubectl meshca rollout " + join(usage.lagging, " "));
    if (issues_meshca(trust, target) && !trust.round1_holds()) {
      status.round = 1;
      status.summary += "; " + round1_pending(trust) + ", so the rollout to " + target +
                        " (Mesh CA certificates) would be refused";
      advise_round1(status, trust);
    }
    return;
  }
  std::string current;
  if (!usage.targets.empty())
    current = *usage.targets.begin();
  else if (!status.tags.empty())
    current = status.tags.front().revision;
  else
    current = order.back()->name;
  settled(status, current, order, trust);
}

} // namespace meshca
