#include "meshca/composite/migrate/migrate_rollback.h"

#include "meshca/checks/status_phase.h"
#include "meshca/util/words.h"

#include <algorithm>

namespace meshca {
namespace {

// What in the cluster still uses `revision`: namespaces selecting it, namespaces running its
// sidecars, gateways and tags.
struct Users {
  std::vector<std::string> selecting, running, gateways, tags;
  bool any() const {
    return !selecting.empty() || !running.empty() || !gateways.empty() || !tags.empty();
  }
};

Users users_of(const MeshStatus& status, const std::string& revision) {
  Users users;
  for (const NamespaceStatus& ns : status.namespaces) {
    if (ns.injection.labelled() && ns.injection.target == revision)
      users.selecting.push_back(ns.injection.name);
    auto pods = ns.pods.find(revision);
    if (ns.injection.labelled() && pods != ns.pods.end() && pods->second > 0)
      users.running.push_back(ns.injection.name);
  }
  if (const RevisionStatus* r = status.find(revision))
    for (const DeploymentRef& gateway : r->gateways)
      users.gateways.push_back(gateway.ns + "/" + gateway.name);
  for (const TagStatus& tag : status.tags)
    if (tag.revision == revision)
      users.tags.push_back(tag.name);
  return users;
}

// The newest installed revision of a role.
std::string newest(const MeshStatus& status, const std::set<std::string>& names) {
  std::string found;
  for (const RevisionStatus* revision : installed_in_order(status))
    if (names.count(revision->name) != 0)
      found = revision->name;
  return found;
}

MigrationStep step(std::string id, StepKind kind, int round, std::string title,
                   std::string revision, std::string gate, std::string command,
                   std::vector<std::string> targets, bool done, std::string evidence) {
  MigrationStep s;
  s.id = std::move(id);
  s.kind = kind;
  s.round = round;
  s.title = std::move(title);
  s.revision = std::move(revision);
  s.gate = std::move(gate);
  s.command = std::move(command);
  s.targets = std::move(targets);
  s.state = done ? StepState::done : StepState::pending;
  s.evidence = std::move(evidence);
  return s;
}

} // namespace

const std::vector<std::string>& rollback_step_ids() {
  static const std::vector<std::string> ids = {"rollback-tags",    "rollback-relabel",
                                               "rollback-rollout", "rollback-gateways",
                                               "rollback-verify",  "rollback-prune"};
  return ids;
}

ClusterPlan plan_rollback(const ClusterFacts& facts) {
  const MeshStatus& status = facts.status;
  const RevisionRoles roles = revision_roles(status);
  const std::string context_flag = facts.context.empty() ? "" : " --context " + facts.context;
  ClusterPlan plan;
  plan.context = facts.context;
  plan.phase = status.phase;
  plan.revisions = migration_revisions(status, facts.recorded);

  // The round in progress, newest first: round 2 while a Mesh CA revision is installed beside
  // the round-1 one (or is in use), round 1 while the round-1 revision is installed beside the
  // old one (or is in use). Its revision is the one in use, else the newest (then the rollback
  // only prunes it).
  auto pick = [&](const std::set<std::string>& names) {
    std::string chosen = newest(status, names);
    for (const std::string& r : names)
      if (users_of(status, r).any())
        chosen = r;
    return chosen;
  };
  auto in_use = [&](const std::set<std::string>& names) {
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& r) { return users_of(status, r).any(); });
  };
  int round = 0;
  std::string from;
  if (!roles.meshca.empty() && (in_use(roles.meshca) || !roles.distributing.empty())) {
    round = 2;
    from = pick(roles.meshca);
  } else if (!roles.distributing.empty() && (in_use(roles.distributing) || !roles.plain.empty())) {
    round = 1;
    from = pick(roles.distributing);
  }
  if (round == 0)
    return plan; // no migration revision beside an older one: nothing to roll back

  auto blocked = [&](std::string evidence, std::string command) {
    MigrationStep s =
        step("rollback-relabel", StepKind::relabel, round, "move every namespace back from " + from,
             "", "none", std::move(command), {}, false, std::move(evidence));
    s.state = StepState::blocked;
    plan.steps.push_back(std::move(s));
    return plan;
  };
  if (round == 2 && status.ca_secrets.empty())
    return blocked("the Citadel CA secrets are gone: a sidecar moved back would get no Citadel "
                   "certificate; restore them first",
                   "kubectl meshca cleanup-secrets --restore DIR" + context_flag);
  const std::string back = newest(status, round == 2 ? roles.distributing : roles.plain);
  if (back.empty()) {
    const std::string recorded = round == 2                   ? plan.revisions.round1
                                 : plan.revisions.old.empty() ? std::string("OLD")
                                                              : plan.revisions.old.back();
    return blocked(
        std::string("no ") + (round == 2 ? "round-1" : "plain Citadel") +
            " revision is installed to go back to (it was pruned); reinstall it, then run "
            "kubectl meshca migrate rollback again",
        round == 2 ? "asmcli install --ca citadel --option ca-migration-citadel --revision_name " +
                         (recorded.empty() ? std::string("REV1") : recorded)
                   : "asmcli install --ca citadel --revision_name " + recorded);
  }

  const Users users = users_of(status, from);
  plan.steps.push_back(step("rollback-tags", StepKind::tags, round,
                            "point the revision tags back at " + back, back, "none",
                            "istioctl tag set " +
                                (users.tags.empty() ? std::string("TAG") : join(users.tags, " ")) +
                                " --revision " + back + " --overwrite" + context_flag,
                            users.tags, users.tags.empty(),
                            users.tags.empty() ? "no tag points at " + from
                                               : "tags on " + from + ": " + join(users.tags)));
  plan.steps.push_back(step(
      "rollback-relabel", StepKind::relabel, round,
      "move the namespaces back to the labels they had before (relabel --undo)", back,
      round == 1 ? "no sidecar in any cluster holds a Mesh CA certificate" : "the tags point back",
      "kubectl meshca relabel ns " +
          (users.selecting.empty() ? std::string("NS...") : join(users.selecting, " ")) +
          " --undo" + context_flag,
      users.selecting, users.selecting.empty(),
      users.selecting.empty() ? "no namespace selects " + from
                              : plural(users.selecting.size(), "namespace") + " select " + from +
                                    ": " + join(users.selecting)));
  plan.steps.push_back(
      step("rollback-rollout", StepKind::rollout, round, "restart the workloads onto " + back, back,
           "the namespaces point back",
           "kubectl meshca rollout " +
               (users.running.empty() ? std::string("NAMESPACE...") : join(users.running, " ")) +
               context_flag,
           users.running, users.running.empty(),
           users.running.empty() ? "no sidecar runs on " + from
                                 : "sidecars of " + from + " run in " + join(users.running)));
  plan.steps.push_back(step("rollback-gateways", StepKind::gateways, round,
                            "move the gateway Deployments back to " + back, back, "none",
                            "kubectl patch deployment GATEWAY -n NAMESPACE --type merge -p "
                            "'{\"metadata\":{\"labels\":{\"istio.io/rev\":\"" +
                                back +
                                "\"}},\"spec\":{\"template\":{\"metadata\":{\"labels\":{"
                                "\"istio.io/rev\":\"" +
                                back + "\"}}}}}'" + context_flag,
                            users.gateways, users.gateways.empty(),
                            users.gateways.empty()
                                ? "no gateway runs on " + from
                                : "gateways on " + from + ": " + join(users.gateways)));

  const SidecarEvidence& e = facts.sidecars;
  MigrationStep verify =
      step("rollback-verify", StepKind::verify, round,
           round == 2 ? "every sidecar holds a Citadel certificate again"
                      : "every sidecar trusts the Citadel root",
           "", "the rollout finished",
           round == 2 ? "kubectl meshca check-root -A --workload-cert --require CITADEL,MESHCA" +
                            context_flag
                      : "kubectl meshca check-root -A --require CITADEL" + context_flag,
           {}, false, "");
  if (!e.read || e.errors > 0) {
    verify.evidence =
        !e.read ? "the sidecars could not be read" : plural(e.errors, "pod") + " could not be read";
    verify.details = e.examples;
  } else {
    auto meshca_issued = e.issuers.find("[MESHCA]");
    const std::size_t mesh_certs = meshca_issued == e.issuers.end() ? 0 : meshca_issued->second;
    const std::size_t without_citadel = e.pods - e.errors - e.trusting_citadel;
    const bool holds =
        round == 2 ? mesh_certs == 0 && e.without_meshca_root == 0 : without_citadel == 0;
    verify.state = holds ? StepState::done : StepState::pending;
    verify.evidence = holds ? e.summary()
                      : round == 2
                          ? plural(mesh_certs, "pod") + " still hold a Mesh CA certificate"
                          : plural(without_citadel, "pod") + " do not trust the Citadel root";
    if (!holds)
      verify.details = e.examples;
  }
  plan.steps.push_back(std::move(verify));
  plan.steps.push_back(step("rollback-prune", StepKind::prune, round, "remove " + from, from,
                            "nothing uses it",
                            "kubectl meshca prune-revision " + from + context_flag, {from}, false,
                            from + " is still installed"));

  for (MigrationStep& s : plan.steps)
    if (s.state != StepState::done) {
      s.state = s.is_gate() ? StepState::blocked : StepState::next;
      break;
    }
  return plan;
}

void apply_rollback_lockstep(std::vector<ClusterPlan>& plans,
                             const std::vector<ClusterFacts>& facts) {
  std::vector<std::string> meshca_issued;
  for (const ClusterFacts& cluster : facts) {
    const SidecarEvidence& e = cluster.sidecars;
    const std::string name = context_label(cluster.context);
    auto it = e.issuers.find("[MESHCA]");
    if (!e.read || e.errors > 0)
      meshca_issued.push_back(name + ": sidecars not all readable");
    else if (it != e.issuers.end() && it->second > 0)
      meshca_issued.push_back(name + ": " + plural(it->second, "pod") +
                              " with a Mesh CA certificate");
  }
  if (meshca_issued.empty())
    return;
  for (ClusterPlan& plan : plans)
    for (MigrationStep& s : plan.steps)
      if (s.state == StepState::next && s.round == 1 &&
          (s.kind == StepKind::relabel || s.kind == StepKind::rollout)) {
        s.state = StepState::waiting;
        s.evidence = "waits until no sidecar in any cluster holds a Mesh CA certificate "
                     "(roll back round 2 there first): " +
                     join(meshca_issued, "; ");
      }
}

} // namespace meshca
