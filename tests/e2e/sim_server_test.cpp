// The simulator as a process: its kubeconfig, flags, kubectl proxy (TCP and Unix socket),
// and a clean shutdown on SIGTERM while clients are connected.

#include "sim_cluster.h"

#include <doctest/doctest.h>
#include <fstream>
#include <sstream>
#include <thread>

using e2e::SimCluster;
using e2e::SimOptions;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("the written kubeconfig names the context and a loopback server") {
  SimCluster sim(SimOptions::flags({"--context", "my-sim"}));
  std::ifstream in(sim.kubeconfig());
  std::stringstream text;
  text << in.rdbuf();
  CHECK(contains(text.str(), "current-context: my-sim"));
  CHECK(contains(text.str(), "server: http://127.0.0.1:" + std::to_string(sim.port())));
  auto context = sim.kubectl({"config", "current-context"});
  CHECK(context.out == "my-sim\n");
}

TEST_CASE("bad flags and bad seeds stop the simulator with exit 2 and a message") {
  auto bad_flag = e2e::run(MESHCA_SIM_BINARY, {"--no-such-flag"});
  CHECK(bad_flag.exit_code == 2);
  CHECK(contains(bad_flag.err, "meshca-sim: error:"));
  auto bad_fault = e2e::run(MESHCA_SIM_BINARY, {"--fault-api-error", "patch"});
  CHECK(bad_fault.exit_code == 2);
  CHECK(contains(bad_fault.err,
                 "--fault-api-error \"patch\": expected VERB:RESOURCE:STATUS[:COUNT]"));
  auto missing_seed = e2e::run(MESHCA_SIM_BINARY, {"--seed-json", "/nonexistent/seed.json"});
  CHECK(missing_seed.exit_code == 2);
  CHECK(contains(missing_seed.err, "cannot read seed file /nonexistent/seed.json"));
  auto help = e2e::run(MESHCA_SIM_BINARY, {"--help"});
  CHECK(help.exit_code == 0);
  CHECK(contains(help.out, "--exec-latency-ms"));
}

TEST_CASE("kubectl proxy over TCP and over a Unix socket") {
  SimCluster sim;
  std::string socket = sim.dir() + "/proxy.sock";
  std::thread proxy([&] {
    sim.kubectl({"proxy", "--unix-socket=" + socket}, std::nullopt, std::chrono::seconds(4));
  });
  e2e::HttpReply reply;
  for (int i = 0; i < 100 && reply.status == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    reply = e2e::http_over_unix_socket(socket, "GET", "/api/v1/namespaces/demo/pods/web-1");
  }
  CHECK(reply.status == 200);
  CHECK(contains(reply.body, "\"name\":\"web-1\""));
  CHECK(e2e::http_over_unix_socket(socket, "GET", "/api/v1/namespaces/demo/pods/nope").status ==
        404);
  proxy.join(); // the 4 s process timeout ends it
  auto direct = sim.http("GET", "/api/v1/namespaces/demo/pods?labelSelector=app%3Dweb");
  CHECK(direct.status == 200);
  CHECK(contains(direct.body, "\"kind\":\"PodList\""));
}

TEST_CASE("SIGTERM ends the simulator promptly even with a watch and a hung exec open") {
  SimCluster sim(SimOptions::flags({"--exec-hang", "demo/web-1"}));
  std::thread watcher([&] {
    sim.kubectl({"get", "pods", "-n", "demo", "--watch"}, std::nullopt, std::chrono::seconds(8));
  });
  std::thread exec([&] {
    sim.kubectl({"exec", "web-1", "-n", "demo", "--", "echo"}, std::nullopt,
                std::chrono::seconds(8));
  });
  for (int i = 0; i < 100 && (sim.stat("watches.active") < 1 || sim.stat("exec.hangs") < 1); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(sim.stat("watches.active") == 1);
  CHECK(sim.stat("exec.hangs") == 1);
  auto start = std::chrono::steady_clock::now();
  CHECK(sim.stop() == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  watcher.join();
  exec.join();
}
