#include "meshca/commands/rollout/rollout_proof.h"

#include <doctest/doctest.h>

using namespace meshca;

namespace {

struct PodSpec {
  std::string name = {};
  std::string owner_kind = {}; // "" bare
  std::string owner_name = {};
  std::string revision = {}; // "" no sidecar
  std::string phase = "Running";
  std::string extra_labels = {}; // e.g. ,"sidecar.istio.io/inject":"false"
  bool terminating = false;
  bool host_network = false;
};

std::string pod_json(const PodSpec& p) {
  std::string owner;
  if (!p.owner_kind.empty())
    owner = R"(,"ownerReferences":[{"kind":"Other","name":"x"},{"kind":")" + p.owner_kind +
            R"(","name":")" + p.owner_name + R"(","controller":true}])";
  std::string annotations =
      p.revision.empty() ? "{}" : R"({"istio.io/rev":")" + p.revision + R"("})";
  std::string labels = R"({"app":"x")";
  if (p.owner_kind == "ReplicaSet")
    labels += R"(,"pod-template-hash":")" + p.owner_name.substr(p.owner_name.rfind('-') + 1) + "\"";
  labels += p.extra_labels + "}";
  std::string containers = R"([{"name":"app"})" +
                           std::string(p.revision.empty() ? "" : R"(,{"name":"istio-proxy"})") +
                           "]";
  return R"({"metadata":{"name":")" + p.name + R"(","namespace":"ns","labels":)" + labels +
         R"(,"annotations":)" + annotations + owner +
         (p.terminating ? R"(,"deletionTimestamp":"2025-01-01T00:00:00Z")" : "") +
         R"(},"spec":{"containers":)" + containers +
         (p.host_network ? R"(,"hostNetwork":true)" : "") + R"(},"status":{"phase":")" + p.phase +
         R"("}})";
}

rapidjson::Document pod_list(const std::vector<PodSpec>& pods) {
  std::string text = R"({"kind":"List","items":[)";
  for (std::size_t i = 0; i < pods.size(); ++i)
    text += (i ? "," : "") + pod_json(pods[i]);
  text += "]}";
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

WorkloadRollout rollout(WorkloadKind kind, std::string name, WorkloadAction action,
                        RolloutState state) {
  Workload w{kind,
             "ns",
             std::move(name),
             action == WorkloadAction::skip_paused,
             action == WorkloadAction::skip_on_delete,
             false};
  return {{w, action}, state, {}};
}

ProofInput input(std::vector<WorkloadRollout> rollouts, ProofMode mode = ProofMode::after_rollout) {
  ProofInput in;
  in.ns = "ns";
  in.want_revision = "new";
  in.rollouts = std::move(rollouts);
  in.mode = mode;
  return in;
}

const NotMoved* find(const ProofResult& result, const std::string& owner_name) {
  for (const NotMoved& group : result.not_moved)
    if (group.owner_name == owner_name)
      return &group;
  return nullptr;
}

} // namespace

TEST_CASE(
    "proof: pods on the namespace's revision moved, not running and terminating pods are ignored") {
  const auto pods = pod_list({{"web-5d9-aaaaa", "ReplicaSet", "web-5d9", "new"},
                              {"web-5d9-bbbbb", "ReplicaSet", "web-5d9", "new"},
                              {"old-1", "ReplicaSet", "web-4c8", "old", "Running", "", true},
                              {"done-1", "Job", "batch", "old", "Succeeded"}});
  const ProofResult result =
      prove_moved(pods, input({rollout(WorkloadKind::deployment, "web", WorkloadAction::restart,
                                       RolloutState::complete)}));
  CHECK(result.moved == 2);
  CHECK(result.not_moved.empty());
}

TEST_CASE("proof: what did not move, with owner, reason and action") {
  const auto pods = pod_list({
      {"debug", "", "", "old"},
      {"migrate-x1", "Job", "migrate", "old"},
      {"redis-0", "StatefulSet", "redis", "old"},
      {"redis-1", "StatefulSet", "redis", "old"},
      {"collector-7f-aaaaa", "ReplicaSet", "collector-7f", "old"},
      {"stuck-9a-aaaaa", "ReplicaSet", "stuck-9a", "old"},
      {"agent-xyz", "DaemonSet", "agent", "old"},
      {"web-5d-aaaaa", "ReplicaSet", "web-5d", ""},
      {"optout-6b-aaaaa", "ReplicaSet", "optout-6b", "", "Running",
       R"(,"sidecar.istio.io/inject":"false")"},
      {"hostnet", "DaemonSet", "node-exporter", "", "Running", "", false, true},
      {"custom-1", "Rollout", "canary", "old"},
  });
  const ProofResult result =
      prove_moved(pods, input({rollout(WorkloadKind::statefulset, "redis",
                                       WorkloadAction::skip_on_delete, RolloutState::skipped),
                               rollout(WorkloadKind::deployment, "collector",
                                       WorkloadAction::skip_paused, RolloutState::skipped),
                               rollout(WorkloadKind::deployment, "stuck", WorkloadAction::restart,
                                       RolloutState::timed_out),
                               rollout(WorkloadKind::deployment, "web", WorkloadAction::restart,
                                       RolloutState::complete),
                               rollout(WorkloadKind::deployment, "optout", WorkloadAction::restart,
                                       RolloutState::complete),
                               rollout(WorkloadKind::daemonset, "node-exporter",
                                       WorkloadAction::restart, RolloutState::complete)}));
  CHECK(result.moved == 0);
  CHECK(result.opted_out == 2);
  REQUIRE(result.not_moved.size() == 8);

  const NotMoved* bare = find(result, "debug");
  REQUIRE(bare != nullptr);
  CHECK(bare->owner_kind == "Pod");
  CHECK(bare->reason == "bare pod");
  CHECK(bare->action.find("recreate it: kubectl delete pod debug -n ns") == 0);
  CHECK(bare->want_revision == "new");
  REQUIRE(bare->pods.size() == 1);
  CHECK(bare->pods[0].revision == "old");

  const NotMoved* job = find(result, "migrate");
  REQUIRE(job != nullptr);
  CHECK(job->reason == "Job pod");
  CHECK(job->action.find("wait for job/migrate to finish") == 0);
  CHECK(job->action.find("or skip it") != std::string::npos);

  const NotMoved* redis = find(result, "redis");
  REQUIRE(redis != nullptr);
  CHECK(redis->reason == "OnDelete StatefulSet (not restarted)");
  CHECK(redis->pods.size() == 2);
  CHECK(redis->action ==
        "delete its pods so they are recreated: kubectl delete pod -n ns redis-0 redis-1");

  const NotMoved* paused = find(result, "collector");
  REQUIRE(paused != nullptr);
  CHECK(paused->owner_kind == "Deployment");
  CHECK(paused->reason == "paused Deployment (not restarted)");
  CHECK(paused->action.find("resume it first: kubectl rollout resume deployment/collector -n ns") ==
        0);

  const NotMoved* stuck = find(result, "stuck");
  REQUIRE(stuck != nullptr);
  CHECK(stuck->reason == "rollout timed out");
  CHECK(stuck->action.find("kubectl rollout status deployment/stuck -n ns") != std::string::npos);

  const NotMoved* agent = find(result, "agent");
  REQUIRE(agent != nullptr);
  CHECK(agent->reason == "not restarted (--kinds)");
  CHECK(agent->action == "rerun with --kinds including daemonset");

  const NotMoved* web = find(result, "web");
  REQUIRE(web != nullptr);
  CHECK(web->reason == "no sidecar after its rollout");
  CHECK(web->pods[0].revision.empty());

  const NotMoved* custom = find(result, "canary");
  REQUIRE(custom != nullptr);
  CHECK(custom->owner_kind == "Rollout");
  CHECK(custom->reason.find("which rollout does not restart") != std::string::npos);
}

TEST_CASE("proof: a rollout that timed out is listed even when its pods look moved") {
  const auto pods = pod_list({{"web-5d-aaaaa", "ReplicaSet", "web-5d", "new"}});
  const ProofResult result =
      prove_moved(pods, input({rollout(WorkloadKind::deployment, "web", WorkloadAction::restart,
                                       RolloutState::timed_out)}));
  CHECK(result.moved == 1);
  REQUIRE(result.not_moved.size() == 1);
  CHECK(result.not_moved[0].reason == "rollout timed out");
  CHECK(result.not_moved[0].pods.empty());
}

TEST_CASE("proof: a prediction expects restarted workloads to move and lists the rest") {
  const auto pods = pod_list({{"web-5d-aaaaa", "ReplicaSet", "web-5d", "old"},
                              {"web-5d-bbbbb", "ReplicaSet", "web-5d", "old"},
                              {"debug", "", "", "old"},
                              {"collector-7f-aaaaa", "ReplicaSet", "collector-7f", "old"}});
  const ProofResult result =
      prove_moved(pods, input({rollout(WorkloadKind::deployment, "web", WorkloadAction::restart,
                                       RolloutState::planned),
                               rollout(WorkloadKind::deployment, "collector",
                                       WorkloadAction::skip_paused, RolloutState::skipped)},
                              ProofMode::prediction));
  CHECK(result.will_move == 2);
  REQUIRE(result.not_moved.size() == 2);
  CHECK(find(result, "debug") != nullptr);
  CHECK(find(result, "collector") != nullptr);
}

TEST_CASE("proof: gateways count only their own pods, and never pods without a sidecar") {
  const auto pods =
      pod_list({{"istio-ingressgateway-6c-aaaaa", "ReplicaSet", "istio-ingressgateway-6c", "old"},
                {"istiod-new-7d-aaaaa", "ReplicaSet", "istiod-new-7d", ""},
                {"other-gw-1a-aaaaa", "ReplicaSet", "other-gw-1a", "old"}});
  ProofInput in = input({rollout(WorkloadKind::deployment, "istio-ingressgateway",
                                 WorkloadAction::restart, RolloutState::complete)});
  in.check_uninjected = false;
  in.only_deployments = std::set<std::string>{"istio-ingressgateway"};
  in.rerun_command = "kubectl meshca rollout bookinfo --gateways";
  const ProofResult result = prove_moved(pods, in);
  REQUIRE(result.not_moved.size() == 1);
  CHECK(result.not_moved[0].owner_name == "istio-ingressgateway");
  CHECK(result.not_moved[0].reason == "still on an old revision after its rollout");
  CHECK(result.not_moved[0].action.find("rerun kubectl meshca rollout bookinfo --gateways") !=
        std::string::npos);
}

TEST_CASE("pod_owner: the controller reference, a ReplicaSet stands for its Deployment") {
  const auto pods = pod_list({{"web-5d-aaaaa", "ReplicaSet", "web-5d", "new"},
                              {"bare", "", "", ""},
                              {"cart-0", "StatefulSet", "cart", "new"}});
  const auto& items = pods["items"];
  CHECK(pod_owner(items[0]).kind == "Deployment");
  CHECK(pod_owner(items[0]).name == "web");
  CHECK(pod_owner(items[1]).kind.empty());
  CHECK(pod_owner(items[2]).kind == "StatefulSet");
  rapidjson::Document orphan;
  orphan.Parse(
      R"({"metadata":{"name":"p","ownerReferences":[{"kind":"ReplicaSet","name":"lonely"}]}})");
  CHECK(pod_owner(orphan).kind == "ReplicaSet"); // no pod-template-hash: not mapped
}
