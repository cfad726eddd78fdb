// status against meshca-sim with the real kubectl, and the whole two-round migration of the demo
// mesh with status (and check-root) between the steps: round 1 (distribute the Mesh CA root),
// prune, round 2 (Mesh CA certificates), prune, cleanup-secrets, and a rollback with --restore.

#include "plugin_runner.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using e2e::SimCluster;

meshca::ProcessOutput plugin(const SimCluster& sim, const std::string& name,
                             const std::vector<std::string>& args) {
  return e2e::run_plugin(sim, "kubectl-meshca-" + name, args);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void ok(const meshca::ProcessOutput& r) {
  REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
}

rapidjson::Document status_json(const SimCluster& sim) {
  auto r = plugin(sim, "status", {"-o", "json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

std::string phase(const SimCluster& sim) {
  return status_json(sim)["phase"].GetString();
}

// Polls status until the phase is `expected` (pods take a moment to be replaced).
rapidjson::Document wait_for_phase(const SimCluster& sim, const std::string& expected) {
  for (int i = 0; i < 150; ++i) {
    rapidjson::Document doc = status_json(sim);
    if (doc["phase"].GetString() == expected)
      return doc;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  FAIL("status never reached phase " << expected << "; it is " << phase(sim));
  return {};
}

std::vector<std::string> next_commands(const rapidjson::Document& doc) {
  std::vector<std::string> out;
  for (const auto& command : doc["next"].GetArray())
    out.emplace_back(command.GetString());
  return out;
}

std::string bundle_url(const SimCluster& sim) {
  return "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json";
}

meshca::ProcessOutput check_root(const SimCluster& sim, std::vector<std::string> args) {
  args.insert(args.end(), {"--meshca-bundle", bundle_url(sim)});
  return plugin(sim, "check_root", args);
}

// What relabel + rollout do, with kubectl itself: every injected namespace to `rev`, every
// workload restarted (a paused Deployment resumed, OnDelete and bare pods deleted).
void move_demo_namespaces(const SimCluster& sim, const std::string& rev) {
  for (const char* ns : {"bookinfo", "shop", "observability", "batch"})
    ok(sim.kubectl({"label", "ns", ns, "istio.io/rev=" + rev, "istio-injection-", "--overwrite"}));
  sim.kubectl({"rollout", "resume", "deployment/collector", "-n", "observability"});
  for (const char* ns : {"bookinfo", "shop", "observability", "batch"})
    ok(sim.kubectl({"rollout", "restart", "deployment,statefulset,daemonset", "-n", ns}));
  ok(sim.kubectl({"delete", "pod", "redis-0", "-n", "shop"}));
  sim.kubectl({"delete", "pod", "debug-shell", "-n", "batch", "--ignore-not-found"});
  sim.kubectl({"delete", "pod", "-n", "batch", "-l", "job-name=db-migrate"});
  // Wait for every rollout to finish, so no sidecar is still starting when it is checked
  // (redis, an OnDelete StatefulSet, has no rollout status: kubectl says so and returns at once).
  for (const char* ns : {"bookinfo", "shop", "observability", "batch"}) {
    auto names = sim.kubectl({"get", "deployment,statefulset,daemonset", "-n", ns, "-o", "name"});
    std::istringstream lines(names.out);
    for (std::string workload; std::getline(lines, workload);)
      sim.kubectl({"rollout", "status", workload, "-n", ns, "--timeout=60s"}, std::nullopt,
                  std::chrono::seconds(70));
  }
}

// The demo's one gateway moves with the namespaces (a real install adds a gateway of the new
// revision): pruning the old revision must not take the Service's only endpoints with it.
void move_gateway(const SimCluster& sim, const std::string& rev) {
  const std::string patch = R"({"metadata":{"labels":{"istio.io/rev":")" + rev +
                            R"("}},"spec":{"template":{"metadata":{"labels":{"istio.io/rev":")" +
                            rev + R"("}}}}})";
  ok(sim.kubectl({"patch", "deployment", "istio-ingressgateway", "-n", "istio-system", "--type",
                  "merge", "-p", patch}));
  sim.kubectl({"rollout", "status", "deployment/istio-ingressgateway", "-n", "istio-system",
               "--timeout=60s"},
              std::nullopt, std::chrono::seconds(70));
}

} // namespace

TEST_CASE("status of the demo mesh: revisions, tags, namespaces, pods, phase and next command") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto text = plugin(sim, "status", {});
  ok(text);
  CHECK(contains(text.out, "Control plane:\nREVISION"));
  CHECK(contains(text.out, "asm-1-19-meshca   MESHCA"));
  CHECK(contains(text.out, "istio-ingressgateway 2/2"));
  CHECK(contains(text.out, "bookinfo        istio-injection=enabled"));
  CHECK(contains(text.out, "CA secrets in istio-system: cacerts, istio-ca-secret\n"));
  CHECK(contains(text.out, "Phase: ready-to-relabel (round 1)"));
  CHECK(contains(text.out, "Next:\n  kubectl meshca relabel ns --all --revision asm-1-19-mcroot -o "
                           "name | kubectl meshca rollout -\n"));

  const auto doc = status_json(sim);
  CHECK(doc["round"].GetInt() == 1);
  CHECK(std::string(doc["tags"][0]["name"].GetString()) == "default");
  CHECK(std::string(doc["tags"][0]["revision"].GetString()) == "asm-1-19");
  bool shop_seen = false;
  for (const auto& ns : doc["namespaces"].GetArray())
    if (std::string(ns["name"].GetString()) == "shop") {
      shop_seen = true;
      CHECK(ns["pods"]["asm-1-19"].GetInt() == 6);
      CHECK(std::string(ns["revision"].GetString()) == "asm-1-19");
    }
  CHECK(shop_seen);
  auto yaml = plugin(sim, "status", {"-o", "yaml"});
  ok(yaml);
  CHECK(yaml.out.starts_with("kind: MeshStatus\nphase: ready-to-relabel\n"));
  CHECK(sim.log().empty()); // status only reads
  auto bad = plugin(sim, "status", {"-o", "wide"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("status flags both labels at once and labels that point at no control plane") {
  SimCluster sim(e2e::scenario("demo.json"));
  ok(sim.kubectl({"label", "ns", "bookinfo", "istio.io/rev=asm-1-19-meshca"}));
  ok(sim.kubectl({"label", "ns", "plain", "istio.io/rev=asm-0-gone"}));
  auto r = plugin(sim, "status", {});
  ok(r);
  CHECK(contains(r.out, "namespace/bookinfo: both istio-injection and istio.io/rev are set"));
  CHECK(contains(r.out, "namespace/plain: istio.io/rev=asm-0-gone names no control plane"));
}

TEST_CASE("the whole migration of the demo mesh, with status and check-root between the steps") {
  SimCluster sim(e2e::scenario("demo.json"));
  CHECK(phase(sim) == "ready-to-relabel");
  CHECK(check_root(sim, {"-A", "--require", "CITADEL,MESHCA"}).exit_code == 1);

  // Round 1: distribute the Mesh CA root.
  move_demo_namespaces(sim, "asm-1-19-mcroot");
  auto old1 = wait_for_phase(sim, "old-revision-installed");
  CHECK(old1["round"].GetInt() == 1);
  CHECK(next_commands(old1) ==
        std::vector<std::string>{"kubectl meshca check-root -A --require CITADEL,MESHCA",
                                 "istioctl tag set default --revision asm-1-19-mcroot --overwrite",
                                 "kubectl meshca prune-revision asm-1-19"});
  // The workloads moved; the gateway moves to the new revision before the old one is pruned.
  move_gateway(sim, "asm-1-19-mcroot");
  auto trusted = check_root(
      sim, {"bookinfo", "shop", "observability", "batch", "--require", "CITADEL,MESHCA"});
  CHECK_MESSAGE(trusted.exit_code == 0, trusted.out << trusted.err);
  CHECK(plugin(sim, "prune_revision", {"asm-1-19", "--yes"}).exit_code == 1); // the default tag
  ok(sim.kubectl({"delete", "mutatingwebhookconfiguration", "istio-revision-tag-default"}));
  for (int i = 0; i < 100; ++i) { // the gateway's old pods terminate after its rollout
    if (plugin(sim, "prune_revision", {"asm-1-19", "--yes"}).exit_code == 0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  CHECK_FALSE(
      sim.kubectl({"get", "deployment", "istiod-asm-1-19", "-n", "istio-system"}).exit_code == 0);

  // Round 2: Mesh CA certificates.
  auto ready2 = status_json(sim);
  CHECK(std::string(ready2["phase"].GetString()) == "ready-to-relabel");
  CHECK(ready2["round"].GetInt() == 2);
  CHECK(plugin(sim, "cleanup_secrets",
               {"--backup-dir", sim.dir() + "/early", "--yes", "--meshca-bundle", bundle_url(sim)})
            .exit_code == 1); // refused: nothing uses Mesh CA certificates yet
  move_demo_namespaces(sim, "asm-1-19-meshca");
  auto old2 = wait_for_phase(sim, "old-revision-installed");
  CHECK(old2["round"].GetInt() == 2);
  CHECK(next_commands(old2).back() == "kubectl meshca prune-revision asm-1-19-mcroot");
  move_gateway(sim, "asm-1-19-meshca");
  std::string prune_out;
  for (int i = 0; i < 100; ++i) { // the gateway's old pods terminate after its rollout
    auto pruned = plugin(sim, "prune_revision", {"asm-1-19-mcroot", "--yes"});
    prune_out = pruned.out + pruned.err;
    if (pruned.exit_code == 0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  INFO(prune_out);
  auto issued = check_root(sim, {"-A", "--workload-cert", "--require", "MESHCA"});
  CHECK_MESSAGE(issued.exit_code == 0, issued.out << issued.err);
  CHECK(phase(sim) == "ready-for-cleanup");

  // Last step, and its rollback.
  const std::string backup = sim.dir() + "/ca-backup";
  ok(plugin(sim, "cleanup_secrets",
            {"--backup-dir", backup, "--yes", "--meshca-bundle", bundle_url(sim)}));
  CHECK(phase(sim) == "complete");
  ok(plugin(sim, "cleanup_secrets", {"--restore", backup}));
  CHECK(phase(sim) == "ready-for-cleanup");
}
