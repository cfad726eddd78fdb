// The commands against a flaky cluster (the simulator's fault switches), through the real
// kubectl: reads retried with backoff and then reported (exit 3), writes never repeated, execs
// that fail or hang reported per pod, a rollout that never completes, and a secret delete that
// fails after the backup. Every case asserts on the simulator's counters and mutation log.

#include "plugin_runner.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using e2e::SimCluster;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A generous bound that proves "gave up instead of hanging", not a timing claim.
constexpr auto kDidNotHang = 40s;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t count_lines(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  std::size_t count = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    count += std::regex_match(line, re) ? 1 : 0;
  return count;
}

std::string bundle_url(const SimCluster& sim) {
  return "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json";
}

meshca::ProcessOutput check_root(const SimCluster& sim, std::vector<std::string> args) {
  args.insert(args.end(), {"--meshca-bundle", bundle_url(sim)});
  return e2e::run_plugin(sim, "kubectl-meshca-check_root", args);
}

// Runs a plugin and checks it ended within kDidNotHang.
meshca::ProcessOutput timed_plugin(const SimCluster& sim, const std::string& executable,
                                   const std::vector<std::string>& args) {
  const auto start = Clock::now();
  auto result = e2e::run_plugin(sim, executable, args);
  CHECK(Clock::now() - start < kDidNotHang);
  return result;
}

std::string first_pod(const SimCluster& sim, const std::string& ns, const std::string& app) {
  auto r = sim.kubectl(
      {"get", "pods", "-n", ns, "-l", "app=" + app, "-o", "jsonpath={.items[0].metadata.name}"});
  REQUIRE(r.exit_code == 0);
  return r.out;
}

} // namespace

TEST_CASE("kubectl transport: a list answered 503 twice is retried and the check completes") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(
      R"({"api_errors": [{"verb": "list", "resource": "pods", "status": 503, "count": 2}]})");
  auto result = check_root(sim, {"bookinfo", "--transport", "exec"});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(count_lines(result.out, R"(.*\.bookinfo trusts \[CITADEL\])") == 7);
  CHECK(sim.stat("faults.api_errors") == 2);
}

TEST_CASE("status: a list that keeps failing with 500 is tried 3 times, then exit 3") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"api_errors": [{"verb": "list", "resource": "pods", "status": 500}]})");
  auto result = timed_plugin(sim, "kubectl-meshca-status", {});
  INFO(result.err);
  CHECK(result.exit_code == 3);
  CHECK(result.out.empty());
  CHECK(contains(result.err, "kubectl meshca status: error: listing pods: Error from server "
                             "(InternalError): simulated fault: list pods failed (kubectl get "
                             "--raw '/api/v1/pods?limit=500') (3 attempts over "));
  // Two pod lists, each tried 3 times: the cluster's, a page at a time, and istio-system's.
  CHECK(sim.stat("faults.api_errors") == 6);
  CHECK(sim.log().empty());
}

TEST_CASE("proxy transport: a list answered 500 is retried, and reported with its attempts") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(
      R"({"api_errors": [{"verb": "list", "resource": "pods", "status": 500, "count": 2}]})");
  auto recovered = check_root(sim, {"bookinfo", "--transport", "proxy"});
  INFO(recovered.out << recovered.err);
  CHECK(recovered.exit_code == 0);
  CHECK(count_lines(recovered.out, R"(.*\.bookinfo trusts \[CITADEL\])") == 7);
  CHECK(sim.stat("faults.api_errors") == 2);

  sim.set_faults(R"({"api_errors": [{"verb": "list", "resource": "pods", "status": 429}]})");
  const auto start = Clock::now();
  auto failed = check_root(sim, {"-A", "--transport", "proxy"});
  CHECK(Clock::now() - start < kDidNotHang);
  INFO(failed.err);
  CHECK(failed.exit_code == 3);
  CHECK(contains(failed.err,
                 "kubectl meshca check-root: error: listing pods: simulated fault: list "
                 "pods failed (GET /api/v1/pods?limit=500, HTTP 429) (3 attempts over "));
  CHECK(sim.stat("faults.api_errors") == 2 + 3);
}

TEST_CASE("a list that never answers in time: each attempt times out, then exit 3") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"slow": [{"verb": "list", "resource": "pods", "ms": 4000}]})");
  // kubectl transport: --request-timeout is passed to kubectl, which gives up on each attempt.
  auto kubectl_side = timed_plugin(sim, "kubectl-meshca-check_root",
                                   {"bookinfo", "--transport", "exec", "--request-timeout", "1s",
                                    "--meshca-bundle", bundle_url(sim)});
  INFO(kubectl_side.err);
  CHECK(kubectl_side.exit_code == 3);
  CHECK(contains(kubectl_side.err, "listing pods: "));
  // kubectl words its timeout either way, depending on where in the request it fired.
  CHECK((contains(kubectl_side.err, "Client.Timeout exceeded") ||
         contains(kubectl_side.err, "context deadline exceeded")));
  CHECK(contains(kubectl_side.err, "(3 attempts over "));
  // Proxy transport: each page read has the --exec-timeout.
  auto proxy_side = timed_plugin(sim, "kubectl-meshca-check_root",
                                 {"bookinfo", "--transport", "proxy", "--exec-timeout", "1s",
                                  "--meshca-bundle", bundle_url(sim)});
  INFO(proxy_side.err);
  CHECK(proxy_side.exit_code == 3);
  CHECK(contains(proxy_side.err, "listing pods: GET /api/v1/namespaces/bookinfo/pods?limit=500: no "
                                 "answer within 1s (3 attempts over "));
}

TEST_CASE("dropped connections: kubectl's reads recover, a lasting drop is exit 3") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"drops": [{"verb": "list", "resource": "pods", "count": 2}]})");
  auto recovered = timed_plugin(sim, "kubectl-meshca-status", {});
  INFO(recovered.err);
  CHECK(recovered.exit_code == 0);
  CHECK(sim.stat("faults.drops") == 2);

  sim.set_faults(R"({"drops": [{"verb": "list", "resource": "pods"}]})");
  auto failed = timed_plugin(sim, "kubectl-meshca-status", {"--request-timeout", "1s"});
  INFO(failed.err);
  CHECK(failed.exit_code == 3);
  CHECK(contains(failed.err, "kubectl meshca status: error: listing pods: "));
  CHECK(contains(failed.err, "(3 attempts over "));
  CHECK(sim.log().empty());
}

TEST_CASE("a 4xx answer is final: Forbidden is reported at once, not retried") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"api_errors": [{"verb": "list", "resource": "namespaces", "status": 403,
                                     "message": "namespaces is forbidden: User \"dev\" cannot list"}]})");
  auto result = e2e::run_plugin(sim, "kubectl-meshca-relabel",
                                {"ns", "bookinfo", "--revision", "asm-1-19-mcroot"});
  INFO(result.err);
  CHECK(result.exit_code == 3);
  CHECK(contains(result.err,
                 "listing namespaces: Error from server (Forbidden): namespaces is forbidden"));
  CHECK_FALSE(contains(result.err, "attempts"));
  CHECK(sim.stat("faults.api_errors") == 1);
  CHECK(sim.log().empty());
}

TEST_CASE("a write answered 503 is not repeated, and the re-run finishes") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(
      R"({"api_errors": [{"verb": "patch", "resource": "namespaces", "status": 503, "count": 1}]})");
  auto failed = e2e::run_plugin(sim, "kubectl-meshca-relabel",
                                {"ns", "bookinfo", "--revision", "asm-1-19-mcroot"});
  INFO(failed.err);
  CHECK(failed.exit_code == 3);
  CHECK(contains(
      failed.err,
      "namespace \"bookinfo\": patching its labels: Error from server (ServiceUnavailable)"));
  CHECK(sim.stat("faults.api_errors") == 1);
  auto labels = sim.kubectl({"get", "ns", "bookinfo", "-o", "jsonpath={.metadata.labels}"});
  CHECK(contains(labels.out, R"("istio-injection":"enabled")"));
  auto rerun = e2e::run_plugin(sim, "kubectl-meshca-relabel",
                               {"ns", "bookinfo", "--revision", "asm-1-19-mcroot"});
  CHECK(rerun.exit_code == 0);
  CHECK(contains(rerun.out, "namespace/bookinfo relabeled: "));
}

TEST_CASE(
    "kubectl transport: a failing and a hanging exec are reported per pod, the rest checked") {
  SimCluster sim(e2e::scenario("demo.json"));
  const std::string broken = first_pod(sim, "bookinfo", "details");
  sim.set_faults(
      R"({"exec_errors": [{"pod": "bookinfo/)" + broken +
      R"(", "exit_code": 1, "stderr": "no admin port\n"}], "exec_hang": ["shop/redis-0"]})");
  const auto start = Clock::now();
  // 10 s: a real kubectl exec on a loaded 2-core machine under ASan has taken over 2 s; the hang
  // costs exactly this timeout, so the test stays well inside kDidNotHang.
  auto result =
      check_root(sim, {"bookinfo", "shop", "--transport", "exec", "--exec-timeout", "10s"});
  CHECK(Clock::now() - start < kDidNotHang);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 3);
  CHECK(contains(result.out, broken + ".bookinfo ERROR: pod \"bookinfo/" + broken +
                                 "\": reading the proxy's config dump: no admin port"));
  CHECK(contains(result.out, "redis-0.shop ERROR: pod \"shop/redis-0\": reading the proxy's config "
                             "dump: kubectl did not finish in time and was stopped"));
  CHECK(count_lines(result.out, R"(.*\.bookinfo trusts \[CITADEL\])") == 6);
  CHECK(count_lines(result.out, R"(.*\.shop trusts \[CITADEL\])") == 5);
}

TEST_CASE("a rollout that never completes: timed out, reported, exit 1, nothing more changed") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(
      R"({"stuck_rollouts": [{"namespace": "bookinfo", "name": "reviews", "stuck": true}]})");
  auto result =
      timed_plugin(sim, "kubectl-meshca-rollout", {"bookinfo", "--timeout", "2s", "--restart-all"});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(contains(result.out, "deployment/reviews       restarted, rollout timed out"));
  CHECK(contains(result.out, "bookinfo: deployment/reviews (rollout timed out)"));
  // One restart per Deployment and nothing after it: no retry, no undo, no other write.
  const auto entries = sim.log();
  CHECK(entries.size() == 4);
  for (const auto& entry : entries) {
    CHECK(std::string(entry["verb"].GetString()) == "patch");
    CHECK(std::string(entry["resource"].GetString()) == "deployments");
  }
}

namespace {

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

// The data a backup file would re-create, read by kubectl itself.
std::string backup_data(const SimCluster& sim, const std::string& file) {
  auto r = sim.kubectl({"create", "-f", file, "--dry-run=client", "-o", "jsonpath={.data}"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return r.out;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST_CASE("cleanup-secrets: deletes that keep failing after the backup lose nothing") {
  const std::string dir = [] {
    std::string pattern = (fs::temp_directory_path() / "meshca-e2e-faults-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    return pattern;
  }();
  std::ofstream(dir + "/migrated.json") << kMigrated;
  SimCluster sim{e2e::SimOptions{{"--scenario", dir + "/migrated.json"}, false, {}}};
  const std::string backup = dir + "/backup";
  const std::string cacerts = secret_data(sim, "cacerts");
  const std::string ca_secret = secret_data(sim, "istio-ca-secret");
  REQUIRE(cacerts != "<absent>");
  // The secret reads fail twice (retried), every delete fails (never repeated).
  sim.set_faults(R"({"api_errors": [
      {"verb": "get", "resource": "secrets", "status": 503, "count": 2},
      {"verb": "delete", "resource": "secrets", "status": 500, "message": "etcdserver: request timed out"}]})");
  auto first = timed_plugin(sim, "kubectl-meshca-cleanup_secrets",
                            {"--backup-dir", backup, "--yes", "--meshca-bundle", bundle_url(sim)});
  INFO(first.out << first.err);
  CHECK(first.exit_code == 3);
  CHECK(contains(first.err,
                 "deleting secret cacerts in istio-system: Error from server (InternalError): "
                 "etcdserver: request timed out"));
  CHECK(contains(first.err,
                 "the backup in " + backup + " is complete: re-run the same command to finish"));
  CHECK(sim.stat("faults.api_errors") == 2 + 1);
  // Both secrets are still there, and the backup holds exactly their data.
  CHECK(secret_data(sim, "cacerts") == cacerts);
  CHECK(secret_data(sim, "istio-ca-secret") == ca_secret);
  CHECK(backup_data(sim, backup + "/cacerts.yaml") == cacerts);
  CHECK(backup_data(sim, backup + "/istio-ca-secret.yaml") == ca_secret);
  const std::string saved = file_text(backup + "/cacerts.yaml");

  sim.clear_faults();
  auto second = timed_plugin(sim, "kubectl-meshca-cleanup_secrets",
                             {"--backup-dir", backup, "--yes", "--meshca-bundle", bundle_url(sim)});
  INFO(second.out << second.err);
  CHECK(second.exit_code == 0);
  CHECK(contains(second.out, "secret/cacerts already backed up in " + backup + "/cacerts.yaml\n"));
  CHECK(secret_data(sim, "cacerts") == "<absent>");
  CHECK(secret_data(sim, "istio-ca-secret") == "<absent>");
  CHECK(file_text(backup + "/cacerts.yaml") == saved);
  CHECK(backup_data(sim, backup + "/istio-ca-secret.yaml") == ca_secret);
  auto restored =
      e2e::run_plugin(sim, "kubectl-meshca-cleanup_secrets", {"--restore", backup, "--no-restart"});
  CHECK(restored.exit_code == 0);
  CHECK(secret_data(sim, "cacerts") == cacerts);
  CHECK(secret_data(sim, "istio-ca-secret") == ca_secret);
  fs::remove_all(dir);
}
