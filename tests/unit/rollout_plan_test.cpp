#include "meshca/commands/rollout/rollout_plan.h"

#include <doctest/doctest.h>

using namespace meshca;

namespace {

rapidjson::Document parse(const char* text) {
  rapidjson::Document doc;
  doc.Parse(text);
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

constexpr const char* kMixed = R"({"kind":"List","items":[
 {"kind":"StatefulSet","metadata":{"name":"redis","namespace":"shop"},"spec":{"updateStrategy":{"type":"OnDelete"}}},
 {"kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{}},
 {"kind":"StatefulSet","metadata":{"name":"cart","namespace":"shop"},"spec":{"updateStrategy":{"type":"RollingUpdate"}}},
 {"kind":"DaemonSet","metadata":{"name":"agent","namespace":"shop"},"spec":{}},
 {"kind":"Deployment","metadata":{"name":"frozen","namespace":"shop"},"spec":{"paused":true}},
 {"kind":"ReplicaSet","metadata":{"name":"web-abc","namespace":"shop"}}]})";

} // namespace

TEST_CASE("rollout plan: workloads of a mixed list, sorted by kind and name") {
  const auto doc = parse(kMixed);
  auto workloads = parse_workloads(doc, "listing");
  REQUIRE(workloads.ok());
  REQUIRE(workloads->size() == 5); // the ReplicaSet is not a workload rollout restarts
  CHECK((*workloads)[0].ref() == "deployment/frozen");
  CHECK((*workloads)[0].paused);
  CHECK((*workloads)[1].ref() == "deployment/web");
  CHECK((*workloads)[2].ref() == "statefulset/cart");
  CHECK_FALSE((*workloads)[2].on_delete);
  CHECK((*workloads)[3].ref() == "statefulset/redis");
  CHECK((*workloads)[3].on_delete);
  CHECK((*workloads)[4].ref() == "daemonset/agent");
  CHECK((*workloads)[4].ns == "shop");
}

TEST_CASE("rollout plan: a single kind's list names its items by the list kind") {
  const auto doc = parse(
      R"({"kind":"DeploymentList","items":[{"metadata":{"name":"gw","namespace":"istio-system"}}]})");
  auto workloads = parse_workloads(doc, "listing");
  REQUIRE(workloads.ok());
  REQUIRE(workloads->size() == 1);
  CHECK((*workloads)[0].kind == WorkloadKind::deployment);
  const auto bad = parse(R"({"kind":"Status"})");
  auto error = parse_workloads(bad, "listing workloads in namespace x");
  REQUIRE_FALSE(error.ok());
  CHECK(error.error().status == ExitStatus::cluster_error);
  CHECK(error.error().message.find("listing workloads in namespace x") == 0);
}

TEST_CASE("rollout plan: paused and OnDelete are skipped, --kinds narrows") {
  const auto doc = parse(kMixed);
  auto workloads = parse_workloads(doc, "listing");
  REQUIRE(workloads.ok());
  const auto all = plan_rollout(
      *workloads, {WorkloadKind::deployment, WorkloadKind::statefulset, WorkloadKind::daemonset});
  REQUIRE(all.size() == 5);
  CHECK(all[0].action == WorkloadAction::skip_paused);
  CHECK(all[1].action == WorkloadAction::restart);
  CHECK(all[2].action == WorkloadAction::restart);
  CHECK(all[3].action == WorkloadAction::skip_on_delete);
  CHECK(all[4].action == WorkloadAction::restart);
  const auto deployments = plan_rollout(*workloads, {WorkloadKind::deployment});
  CHECK(deployments.size() == 2);
  Workload gateway{WorkloadKind::deployment, "istio-system", "gw", false, false, true};
  CHECK(plan_rollout({gateway}, {WorkloadKind::daemonset}).size() == 1); // gateways always stay
}

TEST_CASE("rollout plan: --kinds spellings") {
  CHECK(*parse_workload_kinds("deployment") == WorkloadKinds{WorkloadKind::deployment});
  CHECK(*parse_workload_kinds("sts, ds") ==
        WorkloadKinds{WorkloadKind::statefulset, WorkloadKind::daemonset});
  CHECK(*parse_workload_kinds("Deployments,DaemonSet") ==
        WorkloadKinds{WorkloadKind::deployment, WorkloadKind::daemonset});
  auto bad = parse_workload_kinds("deployment,,daemonset");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("unknown kind \"\"") != std::string::npos);
  CHECK(resource_name(WorkloadKind::statefulset) == "statefulset");
  CHECK(kind_name(WorkloadKind::daemonset) == "DaemonSet");
}
