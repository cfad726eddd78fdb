// rollout restart (strategic merge patch of the template annotation) and rollout status (a
// fieldSelector list, then a watch from its resourceVersion) for every workload kind.

#include "sim_cluster.h"

#include <chrono>
#include <doctest/doctest.h>

using e2e::SimCluster;
using e2e::SimOptions;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string ok(const meshca::ProcessOutput& r) {
  REQUIRE_MESSAGE(r.exit_code == 0, "kubectl failed: " << r.err);
  return r.out;
}

} // namespace

TEST_CASE("rollout restart and status for deployments, statefulsets and daemonsets") {
  SimCluster sim(SimOptions::flags({"--readiness-delay-ms", "2000"}));
  CHECK(ok(sim.kubectl({"rollout", "restart", "deploy/web", "sts/db", "ds/agent", "-n", "demo"})) ==
        "deployment.apps/web restarted\nstatefulset.apps/db restarted\ndaemonset.apps/agent "
        "restarted\n");
  auto start = std::chrono::steady_clock::now();
  auto deploy = ok(sim.kubectl({"rollout", "status", "deploy/web", "-n", "demo", "--timeout=20s"}));
  auto waited = std::chrono::steady_clock::now() - start;
  CHECK(contains(deploy, "deployment \"web\" successfully rolled out"));
  CHECK(contains(deploy, "Waiting for deployment")); // it watched the change arrive
  CHECK(waited >= std::chrono::milliseconds(150));
  auto sts = ok(sim.kubectl({"rollout", "status", "sts/db", "-n", "demo", "--timeout=20s"}));
  // The API defaults updateStrategy.rollingUpdate.partition to 0, so kubectl reports a partitioned
  // roll out.
  CHECK_MESSAGE(contains(sts, "partitioned roll out complete: 1 new pods have been updated"), sts);
  auto ds = ok(sim.kubectl({"rollout", "status", "ds/agent", "-n", "demo", "--timeout=20s"}));
  CHECK_MESSAGE(contains(ds, "daemon set \"agent\" successfully rolled out"), ds);
  auto annotation = ok(sim.kubectl(
      {"get", "deploy", "web", "-n", "demo", "-o",
       "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}"}));
  CHECK(!annotation.empty());
  auto log = sim.log();
  REQUIRE(log.size() == 3);
  for (const auto& entry : log)
    CHECK(std::string(entry["patchType"].GetString()) == "strategic");
  CHECK(sim.stat("verb.watch") >= 3);
}

TEST_CASE("a stuck rollout never completes until the fault is lifted") {
  SimCluster sim(SimOptions::flags({"--stuck-rollout", "demo/web"}));
  ok(sim.kubectl({"rollout", "restart", "deploy/web", "-n", "demo"}));
  auto stuck = sim.kubectl({"rollout", "status", "deploy/web", "-n", "demo", "--timeout=1s"});
  CHECK(stuck.exit_code == 1);
  CHECK(contains(stuck.out, "Waiting for deployment \"web\" rollout to finish: 1 out of 2 new "
                            "replicas have been updated"));
  CHECK(contains(stuck.err, "timed out waiting for the condition"));
  sim.set_faults(R"({"stuck_rollouts":[{"namespace":"demo","name":"web","stuck":false}]})");
  CHECK(
      contains(ok(sim.kubectl({"rollout", "status", "deploy/web", "-n", "demo", "--timeout=10s"})),
               "successfully rolled out"));
}

TEST_CASE("watch streams: a raw watch sees a change, kubectl get --watch lists, a bad "
          "resourceVersion is refused") {
  SimCluster sim;
  auto current =
      ok(sim.kubectl({"get", "ns", "demo", "-o", "jsonpath={.metadata.resourceVersion}"}));
  // A raw watch from the current version with a short timeout: the label change arrives as
  // MODIFIED.
  ok(sim.kubectl({"label", "ns", "demo", "seen=yes"}));
  auto events = ok(sim.kubectl(
      {"get", "--raw",
       "/api/v1/namespaces?watch=true&fieldSelector=metadata.name%3Ddemo&resourceVersion=" +
           current + "&timeoutSeconds=1"}));
  CHECK(contains(events, "{\"type\":\"MODIFIED\""));
  CHECK(contains(events, "\"seen\":\"yes\""));
  CHECK(!contains(events, "\"name\":\"default\""));
  auto watched = sim.kubectl({"get", "pods", "-n", "demo", "--watch", "--request-timeout=2s"},
                             std::nullopt, std::chrono::seconds(10));
  CHECK(contains(watched.out, "web-1"));
  auto bad = sim.kubectl({"get", "--raw", "/api/v1/pods?watch=true&resourceVersion=abc"});
  CHECK(bad.exit_code == 1);
  CHECK(contains(bad.err, "invalid resourceVersion"));
}

TEST_CASE("without istio-ca-root-cert sidecar pods wait in Init:0/1 with kubelet's FailedMount "
          "event, and start once it is created") {
  SimOptions options;
  options.standard_seed = false;
  options.args = {"--scenario", std::string(MESHCA_SCENARIO_DIR) + "/preflight.json"};
  SimCluster sim(options);
  auto pods = ok(sim.kubectl({"get", "pods", "-n", "app-nocm"}));
  CHECK_MESSAGE(contains(pods, "0/2     Init:0/1"), pods);
  auto describe = ok(sim.kubectl({"describe", "pods", "-n", "app-nocm"}));
  CHECK_MESSAGE(contains(describe, "Warning  FailedMount"), describe);
  CHECK(contains(describe, "MountVolume.SetUp failed for volume \"istiod-ca-cert\" : configmap "
                           "\"istio-ca-root-cert\" not found"));
  auto events = ok(sim.kubectl({"get", "events", "-n", "app-nocm"}));
  CHECK_MESSAGE(contains(events, "FailedMount"), events);
  CHECK(contains(events, "pod/web-"));
  auto stalled = sim.kubectl({"rollout", "status", "deploy/web", "-n", "app-nocm", "--timeout=1s"});
  CHECK(stalled.exit_code == 1);
  CHECK(contains(stalled.out, "0 of 1 updated replicas are available"));
  ok(sim.kubectl({"create", "configmap", "istio-ca-root-cert", "-n", "app-nocm",
                  "--from-literal=root-cert.pem=x"}));
  CHECK(contains(
      ok(sim.kubectl({"rollout", "status", "deploy/web", "-n", "app-nocm", "--timeout=10s"})),
      "successfully rolled out"));
  CHECK(contains(ok(sim.kubectl({"get", "pods", "-n", "app-nocm"})), "2/2     Running"));
}
