// Ctrl-C in the middle of every command: the plugin gets SIGINT while it works (the simulator's
// exec latency and slow answers make the work long enough), stops starting new work, reports
// what was done, exits 130, leaves no kubectl behind and no half-applied change (the mutation log
// holds only whole requests), and a re-run finishes the job.

#include "spawned_plugin.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <set>

namespace {

namespace fs = std::filesystem;
using e2e::SimCluster;
using e2e::SpawnedPlugin;
using namespace std::chrono_literals;

constexpr int kInterrupted = 130; // 128 + SIGINT, as a shell reports Ctrl-C

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string bundle_url(const SimCluster& sim) {
  return "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json";
}

// The plugin's flags: the kubeconfig given explicitly, so every kubectl it starts carries the
// test's private path on its command line and a leftover one can be found.
std::vector<std::string> with_kubeconfig(const SimCluster& sim, std::vector<std::string> args) {
  args.insert(args.end(), {"--kubeconfig", sim.kubeconfig()});
  return args;
}

// Interrupts once `started` holds, and returns the exit code; checks the plugin ended soon after
// (a generous bound: it proves nothing hung) and left no kubectl running.
int interrupt_when(SpawnedPlugin& plugin, const SimCluster& sim,
                   const std::function<bool()>& started) {
  REQUIRE_MESSAGE(plugin.wait_until(started), "the work never started; stderr: " << plugin.err());
  plugin.interrupt();
  const int code = plugin.wait(20s);
  // kubectl gets "--kubeconfig PATH" (the simulator's own "--kubeconfig-out PATH" does not match).
  const auto left = e2e::processes_mentioning("--kubeconfig " + sim.kubeconfig());
  CHECK_MESSAGE(left.empty(), "kubectl left running after Ctrl-C: " << left.front());
  return code;
}

bool eventually(const std::function<bool()>& holds, std::chrono::milliseconds limit = 5s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!holds()) {
    if (std::chrono::steady_clock::now() >= end)
      return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Every logged request was answered in full (no connection cut mid-write), and no dry run.
void check_whole(const SimCluster& sim) {
  for (const auto& entry : sim.log()) {
    CHECK(entry["code"].GetInt() >= 200);
    CHECK(entry["code"].GetInt() < 300);
  }
}

std::vector<std::string> logged(const SimCluster& sim, const std::string& verb,
                                const std::string& resource) {
  std::vector<std::string> names;
  for (const auto& entry : sim.log())
    if (entry["verb"].GetString() == verb && entry["resource"].GetString() == resource)
      names.emplace_back(entry["name"].GetString());
  return names;
}

} // namespace

TEST_CASE("check-root over kubectl exec: Ctrl-C stops the reads, reports the pods, exit 130") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"exec_latency_ms": 3000})");
  SpawnedPlugin plugin(sim, "kubectl-meshca-check_root",
                       with_kubeconfig(sim, {"-A", "--transport", "exec", "--parallel", "2",
                                             "--meshca-bundle", bundle_url(sim)}));
  const int code = interrupt_when(plugin, sim, [&] { return sim.stat("execs.active") >= 2; });
  INFO(plugin.out() << plugin.err());
  CHECK(code == kInterrupted);
  CHECK(contains(plugin.out(), "ERROR: not checked: interrupted"));
  CHECK(contains(plugin.out(), "interrupted (Ctrl-C) while kubectl ran"));
  CHECK(sim.log().empty());
}

TEST_CASE("check-root over kubectl proxy: Ctrl-C aborts the execs in flight, exit 130") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"exec_latency_ms": 3000})");
  SpawnedPlugin plugin(sim, "kubectl-meshca-check_root",
                       with_kubeconfig(sim, {"-A", "--transport", "proxy", "--parallel", "2",
                                             "--meshca-bundle", bundle_url(sim)}));
  const int code = interrupt_when(plugin, sim, [&] { return sim.stat("execs.active") >= 2; });
  INFO(plugin.out() << plugin.err());
  CHECK(code == kInterrupted);
  CHECK(contains(plugin.out(), "ERROR: not checked: interrupted"));
  CHECK(contains(plugin.out(), "interrupted (Ctrl-C) (exec through kubectl proxy)"));
  // The execs were abandoned, not left open on the server.
  CHECK(eventually([&] { return sim.stat("execs.active") == 0; }));
}

TEST_CASE("status: Ctrl-C during a slow list stops it at once, exit 130") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"slow": [{"verb": "list", "resource": "pods", "ms": 8000}]})");
  SpawnedPlugin plugin(sim, "kubectl-meshca-status", with_kubeconfig(sim, {}));
  const int code = interrupt_when(plugin, sim, [&] { return sim.stat("faults.slow") >= 1; });
  INFO(plugin.out() << plugin.err());
  CHECK(code == kInterrupted);
  // Its lists run at once: the error names one that was in flight, or one that had not started
  // (the webhook list follows the Deployment list).
  CHECK(contains(plugin.err(), "kubectl meshca status: error: "));
  CHECK(contains(plugin.err(), "interrupted (Ctrl-C)"));
  CHECK(sim.log().empty());
}

TEST_CASE("relabel: Ctrl-C while patching lets the patches in flight finish, sends no other") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"slow": [{"verb": "patch", "resource": "namespaces", "ms": 1500}]})");
  SpawnedPlugin plugin(sim, "kubectl-meshca-relabel",
                       with_kubeconfig(sim, {"ns", "--all", "--revision", "asm-1-19-mcroot"}));
  const int code = interrupt_when(plugin, sim, [&] { return sim.stat("faults.slow") >= 1; });
  INFO(plugin.out() << plugin.err());
  CHECK(code == kInterrupted);
  check_whole(sim);
  // What was reported relabelled is exactly what was patched, and each is whole.
  const auto patched = logged(sim, "patch", "namespaces");
  CHECK_FALSE(patched.empty());
  for (const std::string& ns : patched) {
    CHECK(contains(plugin.out(), "namespace/" + ns + " relabeled: "));
    auto labels = sim.kubectl({"get", "ns", ns, "-o", "jsonpath={.metadata.labels}"});
    CHECK(contains(labels.out, R"("istio.io/rev":"asm-1-19-mcroot")"));
    CHECK_FALSE(contains(labels.out, "istio-injection"));
  }
  sim.clear_faults();
  auto rerun = e2e::run_plugin(sim, "kubectl-meshca-relabel",
                               {"ns", "--all", "--revision", "asm-1-19-mcroot"});
  CHECK(rerun.exit_code == 0);
  for (const char* ns : {"bookinfo", "shop", "observability", "batch"}) {
    auto labels =
        sim.kubectl({"get", "ns", ns, "-o", "jsonpath={.metadata.labels.istio\\.io/rev}"});
    CHECK(labels.out == "asm-1-19-mcroot");
  }
}

TEST_CASE("rollout: Ctrl-C while waiting stops the waits, restarts nothing more, exit 130") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"stuck_rollouts": [
      {"namespace": "bookinfo", "name": "productpage", "stuck": true}, {"namespace": "bookinfo", "name": "details", "stuck": true},
      {"namespace": "bookinfo", "name": "reviews", "stuck": true}, {"namespace": "bookinfo", "name": "ratings", "stuck": true}]})");
  SpawnedPlugin plugin(
      sim, "kubectl-meshca-rollout",
      with_kubeconfig(sim, {"bookinfo", "--parallel", "2", "--timeout", "60s", "--restart-all"}));
  const int code =
      interrupt_when(plugin, sim, [&] { return logged(sim, "patch", "deployments").size() >= 2; });
  INFO(plugin.out() << plugin.err());
  CHECK(code == kInterrupted);
  check_whole(sim);
  const auto restarted = logged(sim, "patch", "deployments");
  CHECK(restarted.size() == 2);
  for (const std::string& name : restarted)
    CHECK(contains(plugin.out(), "deployment/" + name));
  CHECK(contains(plugin.out(), "restarted, the wait was interrupted (Ctrl-C)"));
  CHECK(contains(plugin.out(), "not restarted (interrupted)"));
  CHECK(contains(plugin.out(), "sidecar pods not checked (interrupted)"));
  CHECK(contains(plugin.err(), "interrupted (Ctrl-C): 2 workload(s) restarted, 2 not restarted"));

  sim.clear_faults(); // releases the stuck rollouts
  auto rerun = e2e::run_plugin(sim, "kubectl-meshca-rollout",
                               {"bookinfo", "--timeout", "60s", "--restart-all"});
  INFO(rerun.out << rerun.err);
  CHECK(rerun.exit_code != kInterrupted);
  CHECK(contains(rerun.out, "deployment/ratings"));
  CHECK(contains(rerun.out, "restarted, rollout complete"));
}

namespace {

// A mesh whose sidecars all use Mesh CA certificates, with both Citadel CA secrets still present.
constexpr const char* kMigrated = R"({
  "readiness_delay_ms": 50,
  "ca_secrets": {"cacerts": true, "istio_ca_secret": true},
  "revisions": [{"name": "asm-2", "ca": "meshca-migration"}],
  "namespaces": [{"name": "shop", "labels": {"istio.io/rev": "asm-2"},
                  "workloads": [{"kind": "Deployment", "name": "web"}]}]
})";

std::string secret_data(const SimCluster& sim, const std::string& name) {
  auto r = sim.kubectl({"get", "secret", name, "-n", "istio-system", "-o", "jsonpath={.data}"});
  return r.exit_code == 0 ? r.out : "<absent>";
}

} // namespace

TEST_CASE("cleanup-secrets: Ctrl-C between the deletes keeps the backup, a re-run finishes") {
  const std::string dir = [] {
    std::string pattern = (fs::temp_directory_path() / "meshca-e2e-interrupt-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    return pattern;
  }();
  std::ofstream(dir + "/migrated.json") << kMigrated;
  SimCluster sim{e2e::SimOptions{{"--scenario", dir + "/migrated.json"}, false, {}}};
  const std::string backup = dir + "/backup";
  const std::string cacerts = secret_data(sim, "cacerts");
  const std::string ca_secret = secret_data(sim, "istio-ca-secret");
  sim.set_faults(R"({"slow": [{"verb": "delete", "resource": "secrets", "ms": 1500}]})");
  SpawnedPlugin plugin(
      sim, "kubectl-meshca-cleanup_secrets",
      with_kubeconfig(sim, {"--backup-dir", backup, "--yes", "--meshca-bundle", bundle_url(sim)}));
  const int code = interrupt_when(plugin, sim, [&] { return sim.stat("faults.slow") >= 1; });
  INFO(plugin.out() << plugin.err());
  CHECK(code == kInterrupted);
  check_whole(sim);
  CHECK(logged(sim, "delete", "secrets") == std::vector<std::string>{"cacerts"});
  CHECK(contains(plugin.out(), "secret/cacerts deleted\n"));
  CHECK(
      contains(plugin.err(), "interrupted (Ctrl-C) before kubectl delete secret istio-ca-secret"));
  CHECK(contains(plugin.err(), "re-run the same command to finish"));
  CHECK(secret_data(sim, "cacerts") == "<absent>");
  CHECK(secret_data(sim, "istio-ca-secret") == ca_secret);
  CHECK(fs::exists(backup + "/cacerts.yaml"));
  CHECK(fs::exists(backup + "/istio-ca-secret.yaml"));

  sim.clear_faults();
  auto rerun =
      e2e::run_plugin(sim, "kubectl-meshca-cleanup_secrets",
                      {"--backup-dir", backup, "--yes", "--meshca-bundle", bundle_url(sim)});
  INFO(rerun.out << rerun.err);
  CHECK(rerun.exit_code == 0);
  CHECK(secret_data(sim, "istio-ca-secret") == "<absent>");
  // Nothing lost: the backup brings back exactly what was there.
  auto restored =
      e2e::run_plugin(sim, "kubectl-meshca-cleanup_secrets", {"--restore", backup, "--no-restart"});
  CHECK(restored.exit_code == 0);
  CHECK(secret_data(sim, "cacerts") == cacerts);
  CHECK(secret_data(sim, "istio-ca-secret") == ca_secret);
  fs::remove_all(dir);
}

TEST_CASE(
    "prune-revision: Ctrl-C lets the delete in flight finish, sends no other, re-run finishes") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"slow": [{"verb": "delete", "resource": "*", "ms": 1500}]})");
  SpawnedPlugin plugin(sim, "kubectl-meshca-prune_revision",
                       with_kubeconfig(sim, {"asm-1-19-mcroot", "--yes"}));
  const int code = interrupt_when(plugin, sim, [&] { return sim.stat("faults.slow") >= 1; });
  INFO(plugin.out() << plugin.err());
  CHECK(code == kInterrupted);
  check_whole(sim);
  const std::size_t deleted = sim.log().size();
  CHECK(deleted == 1);
  CHECK(contains(plugin.err(), "interrupted (Ctrl-C) before kubectl delete"));
  CHECK(contains(plugin.err(), "re-run prune-revision to finish"));

  sim.clear_faults();
  auto rerun = e2e::run_plugin(sim, "kubectl-meshca-prune_revision", {"asm-1-19-mcroot", "--yes"});
  INFO(rerun.out << rerun.err);
  CHECK(rerun.exit_code == 0);
  CHECK(contains(rerun.err, "Revision asm-1-19-mcroot is removed."));
  auto left = sim.kubectl({"get", "deployment", "istiod-asm-1-19-mcroot", "-n", "istio-system"});
  CHECK(left.exit_code != 0);
}
