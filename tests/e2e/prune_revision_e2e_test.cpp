// prune-revision against meshca-sim with the real kubectl: refused while in use (nothing
// deleted), dry runs, the delete itself, and a re-run that finds nothing left.

#include "plugin_runner.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using e2e::SimCluster;

SimCluster demo() {
  return SimCluster(e2e::scenario("demo.json"));
}

meshca::ProcessOutput prune(const SimCluster& sim, const std::vector<std::string>& args) {
  return e2e::run_plugin(sim, "kubectl-meshca-prune_revision", args);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void ok(const meshca::ProcessOutput& r) {
  REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
}

std::vector<std::string> mutations(const SimCluster& sim) {
  std::vector<std::string> lines;
  for (const auto& entry : sim.log())
    lines.push_back(std::string(entry["verb"].GetString()) + " " + entry["resource"].GetString() +
                    " " + entry["namespace"].GetString() + "/" + entry["name"].GetString() +
                    (entry["dryRun"].GetBool() ? " (dry run)" : ""));
  return lines;
}

bool exists(const SimCluster& sim, const std::vector<std::string>& get) {
  std::vector<std::string> args = {"get"};
  args.insert(args.end(), get.begin(), get.end());
  return sim.kubectl(args).exit_code == 0;
}

const std::vector<std::string> kMcrootObjects = {
    "mutatingwebhookconfiguration.admissionregistration.k8s.io/"
    "istio-sidecar-injector-asm-1-19-mcroot",
    "service/istiod-asm-1-19-mcroot -n istio-system",
    "deployment.apps/istiod-asm-1-19-mcroot -n istio-system",
    "horizontalpodautoscaler.autoscaling/istiod-asm-1-19-mcroot -n istio-system",
    "poddisruptionbudget.policy/istiod-asm-1-19-mcroot -n istio-system",
    "istiooperator.install.istio.io/installed-state-asm-1-19-mcroot -n istio-system"};

} // namespace

TEST_CASE("prune is refused while the revision is in use, naming each blocker and its fix") {
  SimCluster sim = demo();
  auto r = prune(sim, {"asm-1-19", "--yes"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "kubectl meshca prune-revision: error: revision asm-1-19 is still in use; "
                        "nothing was deleted"));
  CHECK(contains(r.err,
                 "revision tag default (mutatingwebhookconfiguration/istio-revision-tag-default) "
                 "points at asm-1-19"));
  CHECK(contains(
      r.err,
      "namespace/bookinfo is labelled istio-injection=enabled, which injects from asm-1-19"));
  CHECK(contains(r.err, "namespace/shop is labelled istio.io/rev=asm-1-19"));
  CHECK(contains(r.err, "namespace/shop has 6 running pods injected by asm-1-19"));
  CHECK(contains(r.err, "fix: kubectl meshca rollout shop"));
  CHECK_FALSE(contains(r.err, "namespace/istio-system has")); // its own gateway pods are not users
  // ... but deleting that gateway would leave its LoadBalancer Service with no endpoint.
  CHECK(contains(
      r.err,
      "service/istio-ingressgateway -n istio-system (LoadBalancer, external address 203.0.113."));
  auto dry = prune(sim, {"asm-1-19", "--dry-run"});
  CHECK(dry.exit_code == 1);
  CHECK(mutations(sim).empty());
  CHECK(exists(sim, {"deployment", "istiod-asm-1-19", "-n", "istio-system"}));
}

TEST_CASE("prune of an unused revision: dry runs list every object, then it is deleted, then "
          "nothing is left") {
  SimCluster sim = demo();
  auto dry = prune(sim, {"asm-1-19-mcroot", "--dry-run"});
  ok(dry);
  std::string expected;
  for (const auto& object : kMcrootObjects)
    expected += object + " deleted (dry run)\n";
  CHECK(dry.out == expected);
  CHECK(mutations(sim).empty());

  auto server = prune(sim, {"asm-1-19-mcroot", "--dry-run=server"});
  ok(server);
  const auto logged = mutations(sim);
  CHECK(logged.size() == kMcrootObjects.size());
  for (const auto& line : logged)
    CHECK_MESSAGE(line.ends_with("(dry run)"), line);
  CHECK(exists(sim, {"deployment", "istiod-asm-1-19-mcroot", "-n", "istio-system"}));

  auto unconfirmed = prune(sim, {"asm-1-19-mcroot"});
  CHECK(unconfirmed.exit_code == 2);
  CHECK(contains(unconfirmed.err, "needs --yes when not run from a terminal"));
  CHECK(mutations(sim).size() == logged.size());

  auto r = prune(sim, {"asm-1-19-mcroot", "--yes"});
  ok(r);
  CHECK(contains(r.out, "deployment.apps/istiod-asm-1-19-mcroot -n istio-system deleted\n"));
  for (const char* kind : {"service", "deployment", "hpa", "pdb", "istiooperator"})
    CHECK_MESSAGE(
        !exists(sim, {kind,
                      kind == std::string("istiooperator") ? "installed-state-asm-1-19-mcroot"
                                                           : "istiod-asm-1-19-mcroot",
                      "-n", "istio-system"}),
        kind);
  CHECK_FALSE(
      exists(sim, {"mutatingwebhookconfiguration", "istio-sidecar-injector-asm-1-19-mcroot"}));
  CHECK(exists(sim, {"deployment", "istiod-asm-1-19", "-n", "istio-system"}));

  auto again = prune(sim, {"asm-1-19-mcroot", "--yes"});
  ok(again);
  CHECK(again.out == "Nothing to delete: revision asm-1-19-mcroot is not installed.\n");
}

TEST_CASE("prune is allowed once namespaces, pods and tags have moved, the old gateway only with "
          "--force") {
  SimCluster sim = demo();
  const std::string rev = "asm-1-19-mcroot";
  for (const char* ns : {"bookinfo", "shop", "observability", "batch"})
    ok(sim.kubectl({"label", "ns", ns, "istio.io/rev=" + rev, "istio-injection-", "--overwrite"}));
  ok(sim.kubectl({"rollout", "resume", "deployment/collector", "-n", "observability"}));
  for (const char* ns : {"bookinfo", "shop", "observability", "batch"})
    ok(sim.kubectl({"rollout", "restart", "deployment,statefulset,daemonset", "-n", ns}));
  ok(sim.kubectl({"delete", "pod", "redis-0", "-n", "shop"}));
  ok(sim.kubectl({"delete", "pod", "debug-shell", "-n", "batch"}));
  ok(sim.kubectl({"delete", "pod", "-n", "batch", "-l", "job-name=db-migrate"}));
  // Still refused: the default tag points at asm-1-19 (and pods may still be moving).
  auto refused = prune(sim, {"asm-1-19", "--yes"});
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "revision tag default"));
  ok(sim.kubectl({"delete", "mutatingwebhookconfiguration", "istio-revision-tag-default"}));
  meshca::ProcessOutput r;
  for (int i = 0; i < 100; ++i) { // until the old pods are gone: then only the Service blocks
    r = prune(sim, {"asm-1-19", "--yes"});
    if (r.exit_code != 1 || !contains(r.err, "nothing was deleted.\nDeleting its gateways"))
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    else
      break;
  }
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "service/istio-ingressgateway -n istio-system (LoadBalancer"));
  CHECK(exists(sim, {"deployment", "istio-ingressgateway", "-n", "istio-system"}));
  r = prune(sim, {"asm-1-19", "--yes", "--force"});
  ok(r);
  CHECK(contains(r.err, "warning: --force: service/istio-ingressgateway -n istio-system"));
  CHECK(contains(r.out, "deployment.apps/istio-ingressgateway -n istio-system deleted\n"));
  CHECK(contains(
      r.out, "istiooperator.install.istio.io/installed-state-asm-1-19 -n istio-system deleted\n"));
  CHECK_FALSE(exists(sim, {"deployment", "istiod-asm-1-19", "-n", "istio-system"}));
  CHECK_FALSE(exists(sim, {"deployment", "istio-ingressgateway", "-n", "istio-system"}));
  CHECK(exists(sim, {"deployment", "istiod-asm-1-19-mcroot", "-n", "istio-system"}));
}

TEST_CASE("an unrevisioned install is pruned as istiod and istio-sidecar-injector, and refused "
          "while used") {
  SimCluster sim(e2e::scenario("unrevisioned.json"));
  auto r = prune(sim, {"default", "--dry-run"});
  CHECK(r.exit_code == 1);
  CHECK(contains(
      r.err, "namespace/legacy is labelled istio-injection=enabled, which injects from default"));
  CHECK(mutations(sim).empty());
}
