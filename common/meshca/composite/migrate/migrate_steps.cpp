#include "meshca/composite/migrate/migrate_steps.h"

#include "meshca/checks/status_phase.h"
#include "meshca/util/words.h"

#include <algorithm>
#include <set>

namespace meshca {
namespace {

enum class Role { plain, distributing, meshca };

Role role_of(const RevisionStatus& revision) {
  if (revision.issuer == "MESHCA")
    return Role::meshca;
  const bool distributes =
      revision.ca.multi_root || revision.ca.xds_agent || !revision.ca.ca_certificates.empty();
  return distributes ? Role::distributing : Role::plain;
}

// What a step needs to know about the cluster, computed once.
struct View {
  const ClusterFacts& facts;
  MigrationRevisions revisions;
  RevisionRoles roles;      // the installed revisions, by part
  std::string context_flag; // " --context C" or ""

  // A revision the round moves to is installed (round 1 may go straight to Mesh CA).
  bool target_installed(int round) const {
    return !roles.meshca.empty() || (round == 1 && !roles.distributing.empty());
  }

  std::set<std::string> allowed(int round) const {
    std::set<std::string> out = roles.meshca;
    if (round == 1)
      out.insert(roles.distributing.begin(), roles.distributing.end());
    return out;
  }
};

std::vector<std::string> labelled_namespaces(const MeshStatus& status) {
  std::vector<std::string> out;
  for (const NamespaceStatus& ns : status.namespaces)
    if (ns.injection.labelled())
      out.push_back(ns.injection.name);
  return out;
}

// Namespaces whose labels send new pods elsewhere than `allowed`.
std::vector<std::string> not_relabelled(const View& view, int round) {
  const auto allowed = view.allowed(round);
  std::vector<std::string> out;
  for (const NamespaceStatus& ns : view.facts.status.namespaces)
    if (ns.injection.labelled() && allowed.count(ns.injection.target) == 0)
      out.push_back(ns.injection.name);
  return out;
}

// Labelled namespaces that still run sidecars of a revision outside `allowed`.
std::vector<std::string> not_restarted(const View& view, int round) {
  const auto allowed = view.allowed(round);
  std::vector<std::string> out;
  for (const NamespaceStatus& ns : view.facts.status.namespaces) {
    if (!ns.injection.labelled())
      continue;
    for (const auto& [revision, count] : ns.pods)
      if (count > 0 && allowed.count(revision) == 0) {
        out.push_back(ns.injection.name + " (" + plural(static_cast<std::size_t>(count), "pod") +
                      " on " + revision + ")");
        break;
      }
  }
  return out;
}

std::vector<const DeploymentRef*> gateways_outside(const View& view, int round,
                                                   std::vector<std::string>* names) {
  const auto allowed = view.allowed(round);
  std::vector<const DeploymentRef*> out;
  for (const RevisionStatus& revision : view.facts.status.revisions)
    if (allowed.count(revision.name) == 0)
      for (const DeploymentRef& gateway : revision.gateways) {
        out.push_back(&gateway);
        if (names != nullptr)
          names->push_back(gateway.ns + "/" + gateway.name + " (" + revision.name + ")");
      }
  return out;
}

std::vector<std::string> tags_outside(const View& view, int round) {
  const auto allowed = view.allowed(round);
  std::vector<std::string> out;
  for (const TagStatus& tag : view.facts.status.tags)
    if (allowed.count(tag.revision) == 0)
      out.push_back(tag.name + " -> " + tag.revision);
  return out;
}

MigrationStep step(std::string id, StepKind kind, int round, std::string title,
                   std::string revision, std::string gate, std::string command) {
  MigrationStep s;
  s.id = std::move(id);
  s.kind = kind;
  s.round = round;
  s.title = std::move(title);
  s.revision = std::move(revision);
  s.gate = std::move(gate);
  s.command = std::move(command);
  return s;
}

void mark(MigrationStep& s, bool done, std::string evidence) {
  s.state = done ? StepState::done : StepState::pending;
  s.evidence = std::move(evidence);
}

std::string or_placeholder(const std::string& revision, const char* placeholder) {
  return revision.empty() ? placeholder : revision;
}

void add_install(std::vector<MigrationStep>& steps, const View& view, int round) {
  const std::string& revision = round == 1 ? view.revisions.round1 : view.revisions.round2;
  const std::string options = round == 1 ? "--ca citadel --option ca-migration-citadel"
                                         : "--ca mesh_ca --option ca-migration-meshca";
  MigrationStep s = step(
      "install-round" + std::to_string(round), StepKind::install, round,
      round == 1 ? "install a revision that issues Citadel certificates and hands out the Mesh "
                   "CA root"
                 : "install a revision that issues Mesh CA certificates",
      revision, round == 1 ? "none" : "round 1 is complete in this cluster",
      "asmcli install " + options + " --revision_name " +
          or_placeholder(revision, round == 1 ? "REV1" : "REV2") +
          " (with the cluster's own --project_id, --cluster_name and --cluster_location)");
  s.external = true;
  const bool installed = round == 1 ? !view.roles.distributing.empty() ||
                                          (!view.roles.meshca.empty() && view.roles.plain.empty())
                                    : !view.roles.meshca.empty();
  mark(s, installed,
       installed ? (revision.empty() ? "installed" : revision + " is installed")
                 : "no such revision is installed");
  steps.push_back(std::move(s));
}

void add_preflight(std::vector<MigrationStep>& steps, const View& view, int round) {
  const std::string& revision = round == 1 ? view.revisions.round1 : view.revisions.round2;
  const std::string step_name = round == 1 ? "round1" : "round2";
  MigrationStep s =
      step("preflight-round" + std::to_string(round), StepKind::preflight, round,
           "the control plane is configured for round " + std::to_string(round), revision, "none",
           "kubectl meshca preflight --for " + step_name + " --revision " +
               or_placeholder(revision, "REV") + view.context_flag);
  const auto& report = round == 1 ? view.facts.preflight_round1 : view.facts.preflight_round2;
  if (!report) {
    mark(s, false, "not evaluated: the revision is not installed");
  } else if (report->blocked()) {
    mark(s, false, report->verdict());
    for (const PreflightGroup& group : report->groups)
      for (const PreflightCheck& check : group.checks)
        if (check.result == CheckResult::failure)
          s.details.push_back(check.object + ": " + check.text +
                              (check.fix.empty() ? "" : " (fix: " + check.fix + ")"));
  } else {
    mark(s, true, report->verdict());
  }
  steps.push_back(std::move(s));
}

void add_relabel(std::vector<MigrationStep>& steps, const View& view, int round) {
  const std::string& revision = round == 1 ? view.revisions.round1 : view.revisions.round2;
  MigrationStep s = step(
      "relabel-round" + std::to_string(round), StepKind::relabel, round,
      "move every injected namespace to " + or_placeholder(revision, "the new revision"), revision,
      round == 1
          ? "preflight round1 passes"
          : "preflight round2 passes; every sidecar in every cluster trusts the Mesh CA root",
      "kubectl meshca relabel ns --all --revision " + or_placeholder(revision, "REV") +
          view.context_flag);
  const auto behind = not_relabelled(view, round);
  const bool installed = view.target_installed(round);
  mark(s, installed && behind.empty(),
       !installed       ? "waits for the install"
       : behind.empty() ? "every injected namespace points at it"
                        : plural(behind.size(), "namespace") + " point elsewhere: " + join(behind));
  steps.push_back(std::move(s));
}

void add_rollout(std::vector<MigrationStep>& steps, const View& view, int round) {
  const std::string& revision = round == 1 ? view.revisions.round1 : view.revisions.round2;
  const auto behind = not_restarted(view, round);
  std::vector<std::string> names;
  for (const std::string& entry : behind)
    names.push_back(entry.substr(0, entry.find(' ')));
  MigrationStep s = step(
      "rollout-round" + std::to_string(round), StepKind::rollout, round,
      "restart the workloads onto " + or_placeholder(revision, "the new revision"), revision,
      "the namespaces point at it",
      "kubectl meshca rollout " + (names.empty() ? std::string("NAMESPACE...") : join(names, " ")) +
          view.context_flag);
  s.targets = names;
  const bool relabelled = steps.back().state == StepState::done;
  mark(s, relabelled && behind.empty(),
       behind.empty() ? "every sidecar runs on it"
                      : "sidecars of another revision run in " + join(behind));
  steps.push_back(std::move(s));
}

void add_gateways(std::vector<MigrationStep>& steps, const View& view, int round) {
  const std::string& revision = round == 1 ? view.revisions.round1 : view.revisions.round2;
  std::vector<std::string> names;
  std::vector<std::string> refs;
  for (const DeploymentRef* gateway : gateways_outside(view, round, &names))
    refs.push_back(gateway->ns + "/" + gateway->name);
  const std::string target = or_placeholder(revision, "REV");
  const std::string patch = " --type merge -p '{\"metadata\":{\"labels\":{\"istio.io/rev\":\"" +
                            target +
                            "\"}},\"spec\":{\"template\":{\"metadata\":{\"labels\":{"
                            "\"istio.io/rev\":\"" +
                            target + "\"}}}}}'" + view.context_flag;
  std::string command;
  for (const std::string& ref : refs)
    command += (command.empty() ? "" : "; ") + std::string("kubectl patch deployment ") +
               ref.substr(ref.find('/') + 1) + " -n " + ref.substr(0, ref.find('/')) + patch;
  if (command.empty())
    command = "kubectl patch deployment GATEWAY -n NAMESPACE" + patch;
  MigrationStep s =
      step("gateways-round" + std::to_string(round), StepKind::gateways, round,
           "move the gateway Deployments to " + or_placeholder(revision, "the new revision") +
               " (pruning their revision would delete them)",
           revision, "the revision is installed", command);
  s.targets = refs;
  const bool installed = view.target_installed(round);
  mark(s, installed && names.empty(),
       names.empty() ? "no gateway runs on an older revision"
                     : "gateways on an older revision: " + join(names));
  steps.push_back(std::move(s));
}

void add_verify(std::vector<MigrationStep>& steps, const View& view, int round) {
  const SidecarEvidence& e = view.facts.sidecars;
  std::string id, title, command;
  bool holds = false;
  std::string failing;
  if (round == 1) {
    id = "verify-round1";
    title = "every sidecar trusts both roots";
    command = "kubectl meshca check-root -A --require CITADEL,MESHCA";
    auto both = e.trust_sets.find("[CITADEL MESHCA]");
    const std::size_t trusting_both = both == e.trust_sets.end() ? 0 : both->second;
    const std::size_t other = e.pods - e.errors - trusting_both;
    holds = other == 0;
    if (!holds)
      failing = plural(other, "pod") + " do not trust [CITADEL MESHCA]";
  } else if (round == 2) {
    id = "verify-round2";
    title = "every sidecar holds a Mesh CA certificate and trusts the Mesh CA root";
    command = "kubectl meshca check-root -A --workload-cert --require MESHCA";
    holds = e.citadel_issued == 0 && e.without_meshca_root == 0;
    if (!holds)
      failing = plural(e.citadel_issued, "pod") + " hold a certificate not issued by Mesh CA, " +
                std::to_string(e.without_meshca_root) + " do not trust the Mesh CA root";
  } else {
    id = "verify-final";
    title = "no sidecar trusts the Citadel root any more";
    command = "kubectl meshca check-root -A --workload-cert --forbid CITADEL";
    holds = e.trusting_citadel == 0 && e.citadel_issued == 0;
    if (!holds)
      failing = plural(e.trusting_citadel, "pod") + " still trust the Citadel root";
  }
  MigrationStep s = step(id, StepKind::verify, round, title, "", "the rollout finished",
                         command + view.context_flag);
  if (!e.read) {
    mark(s, false, "the sidecars could not be read");
  } else if (e.errors > 0) {
    mark(s, false, plural(e.errors, "pod") + " could not be read");
    s.details = e.examples;
  } else {
    mark(s, holds, holds ? e.summary() : failing);
    if (!holds) {
      // The pods that fail this gate: round 2 also names Citadel-issued certificates.
      s.details = e.examples;
      if (round == 2)
        s.details.insert(s.details.end(), e.citadel_examples.begin(), e.citadel_examples.end());
    }
  }
  steps.push_back(std::move(s));
}

void add_tags(std::vector<MigrationStep>& steps, const View& view, int round) {
  const std::string& revision = round == 1 ? view.revisions.round1 : view.revisions.round2;
  const auto outside = tags_outside(view, round);
  std::string tag_names;
  for (const TagStatus& tag : view.facts.status.tags)
    if (view.allowed(round).count(tag.revision) == 0)
      tag_names += (tag_names.empty() ? "" : " ") + tag.name;
  MigrationStep s = step(
      "tags-round" + std::to_string(round), StepKind::tags, round,
      "point the revision tags at " + or_placeholder(revision, "the new revision"), revision,
      "every sidecar runs on the new revision",
      "istioctl tag set " + (tag_names.empty() ? std::string("TAG") : tag_names) + " --revision " +
          or_placeholder(revision, "REV") + " --overwrite" + view.context_flag);
  for (const TagStatus& tag : view.facts.status.tags)
    if (view.allowed(round).count(tag.revision) == 0)
      s.targets.push_back(tag.name);
  mark(s, outside.empty(),
       outside.empty() ? "no tag points at an older revision"
                       : "tags on an older revision: " + join(outside));
  steps.push_back(std::move(s));
}

void add_prune(std::vector<MigrationStep>& steps, const View& view, int round) {
  std::vector<std::string> old(view.roles.plain.begin(), view.roles.plain.end());
  if (round == 2)
    old.insert(old.end(), view.roles.distributing.begin(), view.roles.distributing.end());
  std::string commands;
  for (const std::string& revision : old)
    commands += (commands.empty() ? "" : "; ") + std::string("kubectl meshca prune-revision ") +
                revision + view.context_flag;
  const std::vector<std::string>& recorded =
      round == 1 ? view.revisions.old : std::vector<std::string>{view.revisions.round1};
  MigrationStep s =
      step("prune-round" + std::to_string(round), StepKind::prune, round,
           "remove the " + std::string(round == 1 ? "old Citadel" : "round-1") + " revision",
           old.empty() ? join(recorded, " ") : join(old, " "),
           "no namespace, tag, webhook, gateway or pod uses it",
           commands.empty() ? "kubectl meshca prune-revision OLD" : commands);
  s.targets = old;
  const bool later_installed = view.target_installed(round);
  mark(s, old.empty() && later_installed,
       old.empty() ? "not installed" : "still installed: " + join(old));
  steps.push_back(std::move(s));
}

void add_cleanup(std::vector<MigrationStep>& steps, const View& view) {
  const auto& secrets = view.facts.status.ca_secrets;
  MigrationStep s =
      step("cleanup-secrets", StepKind::cleanup, 3,
           "back up and delete the Citadel CA secrets, restart istiod", "",
           "no sidecar in any cluster holds a Citadel-issued certificate",
           "kubectl meshca cleanup-secrets --backup-dir DIR --yes" + view.context_flag);
  mark(s, secrets.empty() && !view.roles.meshca.empty(),
       secrets.empty() ? "no CA secret left in istio-system"
                       : "still in istio-system: " + join(secrets));
  steps.push_back(std::move(s));
}

void add_final_restart(std::vector<MigrationStep>& steps, const View& view) {
  const auto names = labelled_namespaces(view.facts.status);
  MigrationStep s = step(
      "restart-final", StepKind::rollout, 3,
      "restart the workloads so no sidecar keeps the Citadel root", "", "the CA secrets are gone",
      "kubectl meshca rollout " + (names.empty() ? std::string("NAMESPACE...") : join(names, " ")) +
          " --restart-all" + view.context_flag);
  s.targets = names;
  const SidecarEvidence& e = view.facts.sidecars;
  const bool done = e.read && e.trusting_citadel == 0 && steps.back().state == StepState::done;
  mark(s, done,
       !e.read ? "the sidecars could not be read"
               : plural(e.trusting_citadel, "pod") + " still trust the Citadel root");
  if (done)
    s.evidence = "no sidecar trusts the Citadel root";
  steps.push_back(std::move(s));
}

// A gate is passed for good once the step that relies on it is done.
void supersede(std::vector<MigrationStep>& steps, const std::string& gate, const std::string& by) {
  auto find = [&](const std::string& id) {
    return std::find_if(steps.begin(), steps.end(),
                        [&](const MigrationStep& s) { return s.id == id; });
  };
  auto g = find(gate);
  auto b = find(by);
  if (g != steps.end() && b != steps.end() && b->state == StepState::done &&
      g->state != StepState::done) {
    g->state = StepState::done;
    g->evidence = "passed (" + by + " is done)";
    g->details.clear();
  }
}

} // namespace

std::string_view to_string(StepState state) {
  switch (state) {
  case StepState::done:
    return "done";
  case StepState::next:
    return "next";
  case StepState::blocked:
    return "blocked";
  case StepState::waiting:
    return "waiting";
  case StepState::pending:
    break;
  }
  return "pending";
}

std::string context_label(const std::string& context) {
  return context.empty() ? "the current context" : context;
}

const MigrationStep* ClusterPlan::next() const {
  for (const MigrationStep& s : steps)
    if (s.state != StepState::done)
      return s.state == StepState::pending ? nullptr : &s;
  return nullptr;
}

const MigrationStep* ClusterPlan::find(const std::string& id) const {
  for (const MigrationStep& s : steps)
    if (s.id == id)
      return &s;
  return nullptr;
}

MigrationRevisions migration_revisions(const MeshStatus& status,
                                       const MigrationRevisions& recorded) {
  MigrationRevisions out;
  for (const RevisionStatus* revision : installed_in_order(status)) {
    switch (role_of(*revision)) {
    case Role::plain:
      out.old.push_back(revision->name);
      break;
    case Role::distributing:
      out.round1 = revision->name; // the newest wins
      break;
    case Role::meshca:
      out.round2 = revision->name;
      break;
    }
  }
  for (const std::string& name : recorded.old)
    if (std::find(out.old.begin(), out.old.end(), name) == out.old.end())
      out.old.push_back(name);
  if (out.round1.empty())
    out.round1 = recorded.round1;
  if (out.round2.empty())
    out.round2 = recorded.round2;
  return out;
}

RevisionRoles revision_roles(const MeshStatus& status) {
  RevisionRoles roles;
  for (const RevisionStatus* revision : installed_in_order(status)) {
    switch (role_of(*revision)) {
    case Role::plain:
      roles.plain.insert(revision->name);
      break;
    case Role::distributing:
      roles.distributing.insert(revision->name);
      break;
    case Role::meshca:
      roles.meshca.insert(revision->name);
      break;
    }
  }
  return roles;
}

ClusterPlan plan_cluster(const ClusterFacts& facts) {
  View view{facts, migration_revisions(facts.status, facts.recorded), revision_roles(facts.status),
            ""};
  if (!facts.context.empty())
    view.context_flag = " --context " + facts.context;

  ClusterPlan plan;
  plan.context = facts.context;
  plan.phase = facts.status.phase;
  plan.revisions = view.revisions;
  auto& steps = plan.steps;
  for (int round = 1; round <= 2; ++round) {
    add_install(steps, view, round);
    add_preflight(steps, view, round);
    add_relabel(steps, view, round);
    add_rollout(steps, view, round);
    add_gateways(steps, view, round);
    add_verify(steps, view, round);
    add_tags(steps, view, round);
    add_prune(steps, view, round);
  }
  add_cleanup(steps, view);
  add_final_restart(steps, view);
  add_verify(steps, view, 3);

  supersede(steps, "preflight-round1", "relabel-round1");
  supersede(steps, "verify-round1", "prune-round1");
  supersede(steps, "preflight-round2", "relabel-round2");
  supersede(steps, "verify-round2", "prune-round2");
  // Round 1 is over for good once round 2's revision has replaced the round-1 one.
  if (plan.find("prune-round2")->state == StepState::done)
    for (MigrationStep& s : steps)
      if (s.round == 1 && s.state != StepState::done) {
        s.state = StepState::done;
        s.evidence = "passed (round 2 is done)";
        s.details.clear();
      }

  for (MigrationStep& s : steps)
    if (s.state != StepState::done) {
      s.state = s.is_gate() ? StepState::blocked : StepState::next;
      if (s.is_gate() && s.kind == StepKind::preflight && !s.revision.empty() &&
          s.evidence.find("not evaluated") == 0)
        s.state = StepState::blocked;
      break;
    }
  return plan;
}

void apply_lockstep(std::vector<ClusterPlan>& plans, const std::vector<ClusterFacts>& facts) {
  std::vector<std::string> without_meshca_root, citadel_issued;
  for (const ClusterFacts& cluster : facts) {
    const SidecarEvidence& e = cluster.sidecars;
    const std::string name = context_label(cluster.context);
    if (!e.read || e.errors > 0) {
      without_meshca_root.push_back(name + ": sidecars not all readable");
      citadel_issued.push_back(name + ": sidecars not all readable");
      continue;
    }
    if (e.without_meshca_root > 0)
      without_meshca_root.push_back(name + ": " + plural(e.without_meshca_root, "pod") +
                                    " without the Mesh CA root" +
                                    (e.examples.empty() ? "" : " (" + e.examples.front() + ")"));
    if (e.citadel_issued > 0)
      citadel_issued.push_back(
          name + ": " + plural(e.citadel_issued, "pod") + " with a Citadel-issued certificate" +
          (e.citadel_examples.empty() ? "" : " (" + e.citadel_examples.front() + ")"));
  }
  for (ClusterPlan& plan : plans)
    for (MigrationStep& s : plan.steps) {
      if (s.state != StepState::next)
        continue;
      const bool moves_to_meshca =
          s.round == 2 && (s.kind == StepKind::relabel || s.kind == StepKind::rollout ||
                           s.kind == StepKind::gateways);
      if (moves_to_meshca && !without_meshca_root.empty()) {
        s.state = StepState::waiting;
        s.evidence = "waits until every cluster's sidecars trust the Mesh CA root: " +
                     join(without_meshca_root, "; ");
      } else if (s.kind == StepKind::cleanup && !citadel_issued.empty()) {
        s.state = StepState::waiting;
        s.evidence = "waits until no sidecar in any cluster holds a Citadel-issued "
                     "certificate: " +
                     join(citadel_issued, "; ");
      }
    }
}

} // namespace meshca
