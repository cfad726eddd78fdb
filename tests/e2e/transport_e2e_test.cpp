// check-root's two transports against simulated meshes: one kubectl proxy spoken to in process
// (HTTP and WebSocket), and one kubectl exec per pod. Same answers, same failures, and a fallback
// from the first to the second when the proxy cannot start.

#include "plugin_runner.h"

#include <algorithm>
#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <regex>
#include <sstream>
#include <tuple>

using e2e::SimCluster;

namespace {

constexpr const char* kCheckRoot = "kubectl-meshca-check_root";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t count_lines(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  std::size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    n += std::regex_match(line, re) ? 1 : 0;
  return n;
}

// Runs check-root with the simulator's bundle and, when given, another TMPDIR.
meshca::ProcessOutput check_root(const SimCluster& sim, std::vector<std::string> args,
                                 const std::string& tmpdir = "") {
  args.insert(args.end(), {"--meshca-bundle", "http://127.0.0.1:" + std::to_string(sim.port()) +
                                                  "/meshca/spiffe_bundle.json"});
  meshca::ProcessSpec spec;
  spec.program = e2e::plugin_path(kCheckRoot);
  spec.args = args;
  spec.timeout = std::chrono::seconds(90);
  spec.extra_env = e2e::plugin_env(sim, e2e::plugin_dir());
  if (!tmpdir.empty())
    spec.extra_env.emplace_back("TMPDIR", tmpdir);
  auto output = meshca::run_process(spec);
  REQUIRE_MESSAGE(output.ok(), output.error().message);
  return *output;
}

// The second fetch of the Mesh CA bundle says "(cached 0m ago)"; nothing else may differ.
std::string without_cache_note(std::string text) {
  return std::regex_replace(text, std::regex(R"( \(cached [^)]*\))"), "");
}

std::string first_pod(const SimCluster& sim, const std::string& ns, const std::string& app) {
  auto pod = sim.kubectl(
      {"get", "pods", "-n", ns, "-l", "app=" + app, "-o", "jsonpath={.items[0].metadata.name}"});
  REQUIRE(pod.exit_code == 0);
  return pod.out;
}

// A TMPDIR so long that a Unix socket path inside it exceeds the kernel's 108 bytes: kubectl
// proxy cannot listen there (it reports "bind: invalid argument"), while kubectl exec works.
std::string overlong_tmpdir(const SimCluster& sim) {
  std::string dir = sim.dir() + "/";
  while (dir.size() < 120)
    dir += "long-folder-name-";
  std::filesystem::create_directories(dir);
  return dir;
}

} // namespace

TEST_CASE("both transports print byte-identical reports on the demo mesh") {
  SimCluster sim(e2e::scenario("demo.json"));
  for (const std::vector<std::string>& flags : {std::vector<std::string>{"-A"},
                                                {"-A", "--workload-cert", "--trust-domain"},
                                                {"-A", "-o", "json"},
                                                {"bookinfo", "shop", "-o", "wide"}}) {
    auto with = [&](const char* transport) {
      auto args = flags;
      args.insert(args.end(), {"--transport", transport});
      REQUIRE(sim.http("DELETE", "/simctl/stats").status == 200);
      auto result = check_root(sim, args);
      INFO(transport << ": " << result.err);
      // --trust-domain fails the check on this Citadel-only mesh: no pod accepts Mesh CA's.
      const bool trust_domain =
          std::find(flags.begin(), flags.end(), "--trust-domain") != flags.end();
      CHECK(result.exit_code == (trust_domain ? 1 : 0));
      return std::make_tuple(result, sim.stat("execs"), sim.stat("execs.distinct"));
    };
    auto [proxy, proxy_execs, proxy_distinct] = with("proxy");
    auto [exec, exec_execs, exec_distinct] = with("exec");
    INFO("flags: " << flags.front() << " " << flags.back());
    CHECK(proxy.out == exec.out);
    CHECK(without_cache_note(proxy.err) == without_cache_note(exec.err));
    // The same execs (pod, container, command) either way, each once through the proxy.
    CHECK(proxy_distinct == exec_distinct);
    CHECK(proxy_execs == proxy_distinct);
    CHECK(proxy_execs > 0);
    // kubectl exec may lose an answer to its WebSocket stream race; the exec fetcher repeats
    // such an exec, twice at most (KubectlExecFetcher::fetch), so a loaded machine may see more.
    CHECK(exec_execs >= exec_distinct);
    CHECK(exec_execs <= 3 * exec_distinct);
  }
}

TEST_CASE("-v shows the proxy command and each request, auto picks the proxy") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto result = check_root(sim, {"bookinfo", "-v"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(std::regex_search(
      result.err,
      std::regex(
          R"(\+ kubectl proxy '?--unix-socket=\S*/kubectl-meshca-\w+/sock'? '?--reject-paths=\^\$'? &)")));
  CHECK(contains(result.err, "+ GET /api/v1/namespaces/bookinfo\n"));
  CHECK(contains(result.err, "+ GET /api/v1/namespaces/bookinfo/pods?limit=500\n"));
  CHECK(contains(result.err,
                 "/exec?command=pilot-agent&command=request&command=GET&command=config_dump"));
  CHECK_FALSE(contains(result.err, "+ kubectl exec"));
  CHECK_FALSE(contains(result.err, "note:"));
}

TEST_CASE("auto falls back to kubectl exec when kubectl proxy cannot start, proxy alone fails") {
  SimCluster sim(e2e::scenario("demo.json"));
  const std::string tmpdir = overlong_tmpdir(sim);
  auto fallback = check_root(sim, {"-A"}, tmpdir);
  INFO(fallback.err);
  CHECK(fallback.exit_code == 0);
  CHECK(contains(fallback.err, "note: kubectl proxy exited with code 1: "));
  CHECK(contains(fallback.err,
                 "reading each sidecar with its own kubectl exec instead (--transport exec)"));
  auto reference = check_root(sim, {"-A", "--transport", "exec"});
  CHECK(fallback.out == reference.out);
  CHECK(std::filesystem::is_empty(tmpdir)); // the private folder was removed

  auto strict = check_root(sim, {"-A", "--transport", "proxy"}, tmpdir);
  CHECK(strict.exit_code == 3);
  CHECK(
      contains(strict.err, "kubectl meshca check-root: error: kubectl proxy exited with code 1: "));
  CHECK(strict.out.empty());
}

TEST_CASE("proxy transport: a failing and a hanging exec are reported per pod, the rest checked") {
  SimCluster sim(e2e::scenario("demo.json"));
  const std::string broken = first_pod(sim, "bookinfo", "details");
  sim.set_faults(R"({"exec_errors":[{"pod":"bookinfo/)" + broken +
                 R"(","exit_code":7,"stderr":"Error: failed to connect to the admin port"}],)"
                 R"("exec_hang":["shop/redis-0"]})");
  const auto start = std::chrono::steady_clock::now();
  // The timeout leaves the answering pods room on a loaded machine (ctest runs a test per core
  // and one more, under the sanitizers too); the hanging one still ends the run well within 20 s.
  auto result =
      check_root(sim, {"bookinfo", "shop", "--transport", "proxy", "--exec-timeout", "5s"});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  INFO(result.out << result.err);
  CHECK(result.exit_code == 3);
  CHECK(contains(result.out,
                 broken + ".bookinfo ERROR: pod \"bookinfo/" + broken +
                     "\": reading the proxy's config dump: Error: failed to connect to the "
                     "admin port; command terminated with exit code 7"));
  CHECK(contains(result.out,
                 "redis-0.shop ERROR: pod \"shop/redis-0\": reading the proxy's config dump: "
                 "no answer within 5s"));
  CHECK(count_lines(result.out, R"(.*\.bookinfo trusts \[CITADEL\])") == 6);
  CHECK(count_lines(result.out, R"(.*\.shop trusts \[CITADEL\])") == 5);
}

// meshca-sim applies its drop fault to resource requests only, not to pods/exec, so dropped exec
// connections cannot be simulated; dropped list requests can.
TEST_CASE("proxy transport: dropped connections are retried, and reported when they persist") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto reference = check_root(sim, {"bookinfo", "--transport", "exec"});
  REQUIRE(reference.exit_code == 0);

  sim.set_faults(R"({"drops":[{"verb":"list","resource":"pods","count":2}]})");
  auto retried = check_root(sim, {"bookinfo", "--transport", "proxy"});
  INFO(retried.err);
  CHECK(retried.exit_code == 0);
  CHECK(retried.out == reference.out);
  CHECK(sim.stat("faults.drops") == 2);

  sim.clear_faults();
  sim.set_faults(R"({"drops":[{"verb":"list","resource":"pods"}]})");
  auto failed = check_root(sim, {"bookinfo", "--transport", "proxy"});
  CHECK(failed.exit_code == 3);
  CHECK(contains(failed.err, "kubectl meshca check-root: error: listing pods: "));
  // Our first try and two retries, each of which kubectl proxy may itself retry once.
  CHECK(sim.stat("faults.drops") >= 2 + 3);
}

TEST_CASE("proxy transport: an unknown namespace is bad input, a failing list a cluster error") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto unknown = check_root(sim, {"no-such-namespace", "--transport", "proxy"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "namespaces \"no-such-namespace\" not found"));
  sim.set_faults(
      R"({"api_errors":[{"verb":"list","resource":"pods","status":403,"message":"pods is forbidden"}]})");
  auto forbidden = check_root(sim, {"-A", "--transport", "proxy"});
  CHECK(forbidden.exit_code == 3);
  CHECK(contains(forbidden.err,
                 "listing pods: pods is forbidden (GET /api/v1/pods?limit=500, HTTP 403)"));
}
