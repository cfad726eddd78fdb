// migrate's plan: which step is next in one cluster, from status, preflight and the sidecars'
// evidence; and lockstep across clusters.
#include "meshca/checks/status_phase.h"
#include "meshca/composite/migrate/migrate_steps.h"

#include <doctest/doctest.h>

using namespace meshca;

namespace {

RevisionStatus revision(const std::string& name, const std::string& role,
                        const std::string& created) {
  RevisionStatus r;
  r.name = name;
  r.issuer = role == "meshca" ? "MESHCA" : "CITADEL";
  if (role != "plain") {
    r.ca.multi_root = true;
    r.ca.xds_agent = true;
  }
  r.istiod = DeploymentRef{"istio-system", "istiod-" + name, 1, 1};
  r.created = created;
  return r;
}

NamespaceStatus ns(const std::string& name, const std::string& rev_label,
                   std::map<std::string, int> pods) {
  NamespaceStatus n;
  n.injection.name = name;
  n.injection.rev_label = rev_label;
  n.injection.target = rev_label;
  n.pods = std::move(pods);
  return n;
}

SidecarEvidence trusting(std::size_t pods, const std::string& trust_set,
                         const std::string& issuer) {
  SidecarEvidence e;
  e.read = true;
  e.pods = pods;
  e.trust_sets[trust_set] = pods;
  e.issuers[issuer] = pods;
  if (trust_set.find("MESHCA") == std::string::npos)
    e.without_meshca_root = pods;
  if (trust_set.find("CITADEL") != std::string::npos)
    e.trusting_citadel = pods;
  if (issuer != "[MESHCA]")
    e.citadel_issued = pods;
  return e;
}

PreflightReport passing(const std::string& revision) {
  PreflightReport report;
  report.revision = revision;
  report.groups.push_back(
      {"Control-plane revisions", {{CheckResult::ok, "revision " + revision, "configured", ""}}});
  return report;
}

// A cluster on plain Citadel (asm-old, tag default, gateway), with namespaces shop and pay.
ClusterFacts plain_cluster(const std::string& context) {
  ClusterFacts f;
  f.context = context;
  auto old = revision("asm-old", "plain", "2026-01-01T00:00:00Z");
  old.gateways.push_back({"istio-system", "istio-ingressgateway", 1, 1});
  old.tags.push_back("default");
  f.status.revisions.push_back(old);
  f.status.tags.push_back({"default", "asm-old", "istio-revision-tag-default"});
  f.status.namespaces.push_back(ns("pay", "asm-old", {{"asm-old", 2}}));
  f.status.namespaces.push_back(ns("shop", "asm-old", {{"asm-old", 3}}));
  f.status.ca_secrets = {"cacerts", "istio-ca-secret"};
  decide_phase(f.status);
  f.sidecars = trusting(5, "[CITADEL]", "[CITADEL]");
  return f;
}

// The same cluster with both migration revisions installed (asmcli run twice).
ClusterFacts installed_cluster(const std::string& context) {
  ClusterFacts f = plain_cluster(context);
  f.status.revisions.push_back(revision("asm-r1", "distributing", "2026-02-01T00:00:00Z"));
  f.status.revisions.push_back(revision("asm-r2", "meshca", "2026-03-01T00:00:00Z"));
  decide_phase(f.status);
  f.preflight_round1 = passing("asm-r1");
  f.preflight_round2 = passing("asm-r2");
  return f;
}

std::string state_of(const ClusterPlan& plan, const std::string& id) {
  const MigrationStep* s = plan.find(id);
  REQUIRE(s != nullptr);
  return std::string(to_string(s->state));
}

} // namespace

TEST_CASE("a plain Citadel cluster: the first step is the round-1 install, printed for asmcli") {
  ClusterPlan plan = plan_cluster(plain_cluster(""));
  REQUIRE(plan.next() != nullptr);
  CHECK(plan.next()->id == "install-round1");
  CHECK(plan.next()->external);
  CHECK(plan.next()->command.find("asmcli install --ca citadel --option ca-migration-citadel") ==
        0);
  CHECK(plan.steps.size() == migration_step_ids().size());
  for (std::size_t i = 0; i < plan.steps.size(); ++i)
    CHECK(plan.steps[i].id == migration_step_ids()[i]);
  CHECK(plan.revisions.old == std::vector<std::string>{"asm-old"});
  CHECK(plan.revisions.round1.empty());
}

TEST_CASE("installed revisions take their parts by configuration, not by name") {
  ClusterPlan plan = plan_cluster(installed_cluster("east"));
  CHECK(plan.revisions.round1 == "asm-r1");
  CHECK(plan.revisions.round2 == "asm-r2");
  CHECK(state_of(plan, "install-round1") == "done");
  CHECK(state_of(plan, "preflight-round1") == "done");
  CHECK(state_of(plan, "relabel-round1") == "next");
  const MigrationStep* relabel = plan.find("relabel-round1");
  CHECK(relabel->command == "kubectl meshca relabel ns --all --revision asm-r1 --context east");
  CHECK(relabel->evidence.find("2 namespaces point elsewhere: pay, shop") == 0);
}

TEST_CASE("a failing preflight blocks the round and lists each failure with its fix") {
  ClusterFacts f = installed_cluster("");
  f.preflight_round1->groups.push_back(
      {"Control-plane revisions",
       {{CheckResult::failure, "revision asm-r1", "ISTIO_MULTIROOT_MESH is not set",
         "asmcli --option ca-migration-citadel"}}});
  ClusterPlan plan = plan_cluster(f);
  REQUIRE(plan.next() != nullptr);
  CHECK(plan.next()->id == "preflight-round1");
  CHECK(plan.next()->state == StepState::blocked);
  REQUIRE(plan.next()->details.size() == 1);
  CHECK(plan.next()->details[0] == "revision asm-r1: ISTIO_MULTIROOT_MESH is not set (fix: asmcli "
                                   "--option ca-migration-citadel)");
}

TEST_CASE("after the relabel, the rollout targets exactly the namespaces with old sidecars") {
  ClusterFacts f = installed_cluster("");
  f.status.namespaces = {ns("pay", "asm-r1", {{"asm-r1", 2}}),
                         ns("shop", "asm-r1", {{"asm-old", 1}, {"asm-r1", 2}})};
  ClusterPlan plan = plan_cluster(f);
  CHECK(state_of(plan, "preflight-round1") == "done"); // superseded by the relabel
  CHECK(state_of(plan, "relabel-round1") == "done");
  REQUIRE(plan.next() != nullptr);
  CHECK(plan.next()->id == "rollout-round1");
  CHECK(plan.next()->targets == std::vector<std::string>{"shop"});
}

TEST_CASE("gateways, the round-1 gate, tags and the prune come in order") {
  ClusterFacts f = installed_cluster("");
  f.status.namespaces = {ns("pay", "asm-r1", {{"asm-r1", 2}}),
                         ns("shop", "asm-r1", {{"asm-r1", 3}})};
  ClusterPlan plan = plan_cluster(f);
  CHECK(plan.next()->id == "gateways-round1");
  CHECK(plan.next()->targets == std::vector<std::string>{"istio-system/istio-ingressgateway"});

  // Gateways moved: the gate reads the sidecars, which still trust the Citadel root only.
  f.status.revisions[1].gateways = f.status.revisions[0].gateways;
  f.status.revisions[0].gateways.clear();
  f.sidecars = trusting(5, "[CITADEL]", "[CITADEL]");
  f.sidecars.examples = {"shop/cart-0 trusts [CITADEL]"};
  plan = plan_cluster(f);
  REQUIRE(plan.next() != nullptr);
  CHECK(plan.next()->id == "verify-round1");
  CHECK(plan.next()->state == StepState::blocked);
  CHECK(plan.next()->evidence == "5 pods do not trust [CITADEL MESHCA]");
  CHECK(plan.next()->details == std::vector<std::string>{"shop/cart-0 trusts [CITADEL]"});

  // The sidecars trust both roots: the tag moves next, then the prune of asm-old.
  f.sidecars = trusting(5, "[CITADEL MESHCA]", "[CITADEL]");
  plan = plan_cluster(f);
  CHECK(state_of(plan, "verify-round1") == "done");
  CHECK(plan.next()->id == "tags-round1");
  CHECK(plan.next()->targets == std::vector<std::string>{"default"});
  CHECK(plan.next()->command == "istioctl tag set default --revision asm-r1 --overwrite");
  f.status.tags[0].revision = "asm-r1";
  plan = plan_cluster(f);
  CHECK(plan.next()->id == "prune-round1");
  CHECK(plan.next()->targets == std::vector<std::string>{"asm-old"});
}

TEST_CASE("once the old revision is pruned, round 2 starts and round 1 stays done") {
  ClusterFacts f = installed_cluster("");
  f.status.revisions.erase(f.status.revisions.begin()); // asm-old pruned
  f.status.tags = {{"default", "asm-r1", "istio-revision-tag-default"}};
  f.status.namespaces = {ns("pay", "asm-r1", {{"asm-r1", 2}}),
                         ns("shop", "asm-r1", {{"asm-r1", 3}})};
  f.recorded.old = {"asm-old"};
  f.sidecars = trusting(5, "[CITADEL MESHCA]", "[CITADEL]");
  decide_phase(f.status);
  ClusterPlan plan = plan_cluster(f);
  CHECK(plan.revisions.old == std::vector<std::string>{"asm-old"}); // from the ledger
  for (const MigrationStep& s : plan.steps)
    if (s.round == 1)
      CHECK_MESSAGE(s.state == StepState::done, s.id);
  CHECK(plan.next()->id == "relabel-round2");
}

TEST_CASE("lockstep: no cluster moves to Mesh CA certificates while another lacks the root") {
  ClusterFacts east = installed_cluster("east");
  east.status.revisions.erase(east.status.revisions.begin());
  east.status.tags = {{"default", "asm-r1", "istio-revision-tag-default"}};
  east.status.namespaces = {ns("shop", "asm-r1", {{"asm-r1", 3}})};
  east.sidecars = trusting(3, "[CITADEL MESHCA]", "[CITADEL]");
  decide_phase(east.status);
  ClusterFacts west = installed_cluster("west"); // round 1 not started
  west.sidecars.examples = {"pay/api-1 trusts [CITADEL]"};
  std::vector<ClusterFacts> facts = {east, west};
  std::vector<ClusterPlan> plans = {plan_cluster(east), plan_cluster(west)};
  REQUIRE(plans[0].next()->id == "relabel-round2");
  apply_lockstep(plans, facts);
  CHECK(plans[0].next()->state == StepState::waiting);
  CHECK(plans[0].next()->evidence ==
        "waits until every cluster's sidecars trust the Mesh CA root: west: 5 pods without the "
        "Mesh CA root (pay/api-1 trusts [CITADEL])");
  CHECK(plans[1].next()->id == "relabel-round1"); // west is not held back
  CHECK(plans[1].next()->state == StepState::next);

  // West catches up: east may go on.
  facts[1].sidecars = trusting(5, "[CITADEL MESHCA]", "[CITADEL]");
  plans = {plan_cluster(facts[0]), plan_cluster(facts[1])};
  apply_lockstep(plans, facts);
  CHECK(plans[0].next()->state == StepState::next);
}

TEST_CASE("lockstep: the cleanup waits until no cluster has a Citadel-issued certificate") {
  auto finished_round2 = [](const std::string& context) {
    ClusterFacts f;
    f.context = context;
    auto r2 = revision("asm-r2", "meshca", "2026-03-01T00:00:00Z");
    f.status.revisions.push_back(r2);
    f.status.tags = {{"default", "asm-r2", "istio-revision-tag-default"}};
    f.status.namespaces = {ns("shop", "asm-r2", {{"asm-r2", 3}})};
    f.status.ca_secrets = {"istio-ca-secret"};
    f.recorded = {{"asm-old"}, "asm-r1", "asm-r2"};
    decide_phase(f.status);
    f.sidecars = trusting(3, "[CITADEL MESHCA]", "[MESHCA]");
    return f;
  };
  std::vector<ClusterFacts> facts = {finished_round2("east"), finished_round2("west")};
  facts[1].sidecars = trusting(3, "[CITADEL MESHCA]", "[CITADEL]");
  std::vector<ClusterPlan> plans = {plan_cluster(facts[0]), plan_cluster(facts[1])};
  CHECK(plans[0].next()->id == "cleanup-secrets");
  CHECK(plans[1].next()->id == "cleanup-secrets");
  apply_lockstep(plans, facts);
  for (const ClusterPlan& plan : plans) {
    CHECK(plan.next()->state == StepState::waiting);
    CHECK(plan.next()->evidence ==
          "waits until no sidecar in any cluster holds a Citadel-issued certificate: west: 3 "
          "pods with a Citadel-issued certificate");
  }
  facts[1].sidecars = facts[0].sidecars;
  plans = {plan_cluster(facts[0]), plan_cluster(facts[1])};
  apply_lockstep(plans, facts);
  CHECK(plans[1].next()->state == StepState::next);
}

TEST_CASE("a cluster whose sidecars could not be read holds every gate and every cluster back") {
  ClusterFacts f = installed_cluster("");
  f.status.namespaces = {ns("shop", "asm-r1", {{"asm-r1", 3}})};
  f.status.revisions[2].gateways = f.status.revisions[0].gateways;
  f.status.revisions[0].gateways.clear();
  f.sidecars = SidecarEvidence{};
  ClusterPlan plan = plan_cluster(f);
  CHECK(plan.next()->id == "verify-round1");
  CHECK(plan.next()->state == StepState::blocked);
  CHECK(plan.next()->evidence == "the sidecars could not be read");
}

TEST_CASE("the finished migration has no next step") {
  ClusterFacts f;
  f.status.revisions.push_back(revision("asm-r2", "meshca", "2026-03-01T00:00:00Z"));
  f.status.tags = {{"default", "asm-r2", "istio-revision-tag-default"}};
  f.status.namespaces = {ns("shop", "asm-r2", {{"asm-r2", 3}})};
  f.recorded = {{"asm-old"}, "asm-r1", "asm-r2"};
  decide_phase(f.status);
  f.sidecars = trusting(3, "[MESHCA]", "[MESHCA]");
  ClusterPlan plan = plan_cluster(f);
  CHECK(plan.finished());
  CHECK(context_label("") == "the current context");
}
