// migrate rollback's plan: which round is rolled back, in which order, and lockstep.
#include "meshca/checks/status_phase.h"
#include "meshca/composite/migrate/migrate_rollback.h"

#include <doctest/doctest.h>

using namespace meshca;

namespace {

RevisionStatus revision(const std::string& name, const std::string& role, int order) {
  RevisionStatus r;
  r.name = name;
  r.issuer = role == "meshca" ? "MESHCA" : "CITADEL";
  r.ca.multi_root = role != "plain";
  r.istiod = DeploymentRef{"istio-system", "istiod-" + name, 1, 1};
  r.created = "2026-0" + std::to_string(order) + "-01T00:00:00Z";
  return r;
}

NamespaceStatus ns(const std::string& name, const std::string& target,
                   std::map<std::string, int> pods) {
  NamespaceStatus n;
  n.injection.name = name;
  n.injection.rev_label = target;
  n.injection.target = target;
  n.pods = std::move(pods);
  return n;
}

SidecarEvidence evidence(std::size_t pods, const std::string& trust, const std::string& issuer) {
  SidecarEvidence e;
  e.read = true;
  e.pods = pods;
  e.trust_sets[trust] = pods;
  e.issuers[issuer] = pods;
  e.trusting_citadel = trust.find("CITADEL") != std::string::npos ? pods : 0;
  e.without_meshca_root = trust.find("MESHCA") != std::string::npos ? 0 : pods;
  e.citadel_issued = issuer == "[MESHCA]" ? 0 : pods;
  return e;
}

// Round 1 under way: shop moved to asm-r1 (tag default too), pay still on asm-old.
ClusterFacts round1_under_way(const std::string& context = "") {
  ClusterFacts f;
  f.context = context;
  f.status.revisions = {revision("asm-old", "plain", 1), revision("asm-r1", "distributing", 2)};
  f.status.revisions[1].gateways.push_back({"istio-system", "istio-ingressgateway", 1, 1});
  f.status.tags = {{"default", "asm-r1", "istio-revision-tag-default"}};
  f.status.namespaces = {ns("pay", "asm-old", {{"asm-old", 2}}),
                         ns("shop", "asm-r1", {{"asm-r1", 3}})};
  f.status.ca_secrets = {"istio-ca-secret"};
  decide_phase(f.status);
  f.sidecars = evidence(5, "[CITADEL MESHCA]", "[CITADEL]");
  return f;
}

} // namespace

TEST_CASE("round 1 rollback: tags first, then the namespaces back by relabel --undo, the "
          "restart, the gateways, the gate, the prune of the round-1 revision") {
  ClusterPlan plan = plan_rollback(round1_under_way());
  REQUIRE(plan.steps.size() == rollback_step_ids().size());
  for (std::size_t i = 0; i < plan.steps.size(); ++i)
    CHECK(plan.steps[i].id == rollback_step_ids()[i]);
  REQUIRE(plan.next() != nullptr);
  CHECK(plan.next()->id == "rollback-tags");
  CHECK(plan.next()->revision == "asm-old");
  CHECK(plan.next()->targets == std::vector<std::string>{"default"});
  CHECK(plan.find("rollback-relabel")->targets == std::vector<std::string>{"shop"});
  CHECK(plan.find("rollback-relabel")->command == "kubectl meshca relabel ns shop --undo");
  CHECK(plan.find("rollback-gateways")->targets ==
        std::vector<std::string>{"istio-system/istio-ingressgateway"});
  CHECK(plan.find("rollback-prune")->targets == std::vector<std::string>{"asm-r1"});
}

TEST_CASE("round 2 rollback goes back to the round-1 revision and proves Citadel certificates") {
  ClusterFacts f;
  f.status.revisions = {revision("asm-r1", "distributing", 2), revision("asm-r2", "meshca", 3)};
  f.status.namespaces = {ns("shop", "asm-r1", {{"asm-r1", 3}})};
  f.status.ca_secrets = {"istio-ca-secret"};
  decide_phase(f.status);
  f.sidecars = evidence(3, "[CITADEL MESHCA]", "[MESHCA]"); // shop relabelled back, not restarted
  ClusterPlan plan = plan_rollback(f);
  CHECK(plan.find("rollback-relabel")->state == StepState::done);
  CHECK(plan.find("rollback-verify")->state == StepState::blocked); // the gate comes next
  CHECK(plan.find("rollback-prune")->targets == std::vector<std::string>{"asm-r2"});
  // Restarted: the gate holds, the prune is next.
  f.sidecars = evidence(3, "[CITADEL MESHCA]", "[CITADEL]");
  plan = plan_rollback(f);
  CHECK(plan.find("rollback-verify")->state == StepState::done);
  CHECK(plan.next()->id == "rollback-prune");
}

TEST_CASE("a rollback that cannot be done is one blocked step with the fix") {
  ClusterFacts f;
  f.status.revisions = {revision("asm-r2", "meshca", 3)};
  f.status.namespaces = {ns("shop", "asm-r2", {{"asm-r2", 3}})};
  decide_phase(f.status);
  ClusterPlan plan = plan_rollback(f); // the secrets are gone
  REQUIRE(plan.next() != nullptr);
  CHECK(plan.next()->state == StepState::blocked);
  CHECK(plan.next()->command == "kubectl meshca cleanup-secrets --restore DIR");
  f.status.ca_secrets = {"istio-ca-secret"};
  f.recorded.round1 = "asm-r1";
  plan = plan_rollback(f); // the round-1 revision was pruned
  CHECK(plan.next()->state == StepState::blocked);
  CHECK(plan.next()->command ==
        "asmcli install --ca citadel --option ca-migration-citadel --revision_name asm-r1");
}

TEST_CASE("nothing to roll back on a plain mesh") {
  ClusterFacts f;
  f.status.revisions = {revision("asm-old", "plain", 1)};
  decide_phase(f.status);
  CHECK(plan_rollback(f).finished());
  CHECK(plan_rollback(f).steps.empty());
}

TEST_CASE("rollback lockstep: round 1 is not rolled back while any cluster holds Mesh CA "
          "certificates") {
  ClusterFacts east = round1_under_way("east");
  east.status.tags.clear();
  ClusterFacts west = round1_under_way("west");
  west.sidecars = evidence(4, "[CITADEL MESHCA]", "[MESHCA]");
  std::vector<ClusterFacts> facts = {east, west};
  std::vector<ClusterPlan> plans = {plan_rollback(east), plan_rollback(west)};
  REQUIRE(plans[0].next()->id == "rollback-relabel");
  apply_rollback_lockstep(plans, facts);
  CHECK(plans[0].next()->state == StepState::waiting);
  CHECK(plans[0].next()->evidence.find("west: 4 pods with a Mesh CA certificate") !=
        std::string::npos);
}
