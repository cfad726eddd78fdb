// kubectl exec over WebSocket (v5.channel.k8s.io): output, exit codes, refusals and exec faults.

#include "sim_cluster.h"

#include <chrono>
#include <doctest/doctest.h>

using e2e::SimCluster;
using e2e::SimOptions;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("exec returns stdout, stderr and the command's exit code") {
  std::string dump =
      R"({"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.SecretsConfigDump"}]})";
  std::string seed =
      R"([{"apiVersion":"v1","kind":"Pod","metadata":{"name":"gw","namespace":"demo",
    "annotations":{"sim.meshca.io/config-dump":)" +
      std::string("\"") +
      R"({\"configs\":[{\"@type\":\"type.googleapis.com/envoy.admin.v3.SecretsConfigDump\"}]}"}},
    "spec":{"containers":[{"name":"istio-proxy"}]},"status":{"phase":"Running"}}])";
  SimOptions options;
  options.extra_seed_json = seed;
  SimCluster sim(options);
  auto config = sim.kubectl({"exec", "gw", "-n", "demo", "-c", "istio-proxy", "--", "pilot-agent",
                             "request", "GET", "config_dump"});
  CHECK(config.exit_code == 0);
  CHECK(config.out == dump);
  auto echo =
      sim.kubectl({"exec", "web-1", "-n", "demo", "-c", "app", "--", "echo", "hello", "world"});
  CHECK(echo.out == "hello world\n");
  auto exit3 = sim.kubectl({"exec", "web-1", "-n", "demo", "-c", "app", "--", "exit", "3"});
  CHECK(exit3.exit_code == 3);
  CHECK(contains(exit3.err, "command terminated with exit code 3"));
  auto not_found = sim.kubectl({"exec", "web-1", "-n", "demo", "-c", "app", "--", "nosuch"});
  CHECK(not_found.exit_code == 127);
  CHECK(contains(not_found.err, "sh: nosuch: not found"));
  auto big = sim.kubectl({"exec", "web-1", "-n", "demo", "-c", "app", "--", "bytes", "3000000"});
  CHECK(big.out.size() == 3000000);
  CHECK(sim.stat("execs") == 5);
  CHECK(sim.stat("exec.bytes_out") >= 3000000);
  CHECK(sim.log().empty()); // execs change nothing
}

TEST_CASE("exec refusals: missing pod, unknown container, finished pod") {
  SimCluster sim;
  auto missing = sim.kubectl({"exec", "nope", "-n", "demo", "--", "echo"});
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.err, "pods \"nope\" not found"));
  auto container = sim.kubectl({"exec", "web-1", "-n", "demo", "-c", "nope", "--", "echo"});
  CHECK(container.exit_code == 1);
  CHECK(contains(container.err, "container nope is not valid for pod web-1"));
  auto finished = sim.kubectl({"exec", "job-1", "-n", "demo", "--", "echo"});
  CHECK(finished.exit_code == 1);
  CHECK(contains(finished.err,
                 "cannot exec into a container in a completed pod; current phase is Succeeded"));
}

TEST_CASE("exec faults: errors for named pods, latency, hangs") {
  SimCluster sim(SimOptions::flags({"--exec-error", "demo/web-1:7:certificate fetch failed"}));
  auto failed = sim.kubectl({"exec", "web-1", "-n", "demo", "-c", "istio-proxy", "--",
                             "pilot-agent", "request", "GET", "config_dump"});
  CHECK(failed.exit_code == 7);
  CHECK(contains(failed.err, "certificate fetch failed"));
  sim.clear_faults();
  sim.set_faults(R"({"exec_latency_ms":600})");
  auto start = std::chrono::steady_clock::now();
  CHECK(sim.kubectl({"exec", "web-1", "-n", "demo", "--", "echo", "slow"}).out == "slow\n");
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(600));
  sim.set_faults(R"({"exec_latency_ms":0,"exec_hang":["demo/web-1"]})");
  // 5 s: long enough for a kubectl slowed by a loaded machine to reach the simulator (at 1.5 s
  // it sometimes had not, and no hang was counted).
  auto hung = sim.kubectl({"exec", "web-1", "-n", "demo", "--", "echo", "never"}, std::nullopt,
                          std::chrono::milliseconds(5000));
  CHECK(hung.timed_out);
  CHECK(sim.stat("exec.hangs") == 1);
  sim.clear_faults();
  CHECK(sim.kubectl({"exec", "web-1", "-n", "demo", "--", "echo", "back"}).out == "back\n");
}
