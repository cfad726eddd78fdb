// API fault switches (errors, dropped connections, slow answers), set by flag and at runtime,
// and what the mutation log and the counters record about them.

#include "sim_cluster.h"

#include <chrono>
#include <doctest/doctest.h>
#include <fstream>
#include <sstream>

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

TEST_CASE("API errors on a chosen verb and resource, for the first K requests only") {
  SimCluster sim(SimOptions::flags({"--fault-api-error", "patch:namespaces:500:1"}));
  auto first = sim.kubectl({"label", "ns", "demo", "a=1"});
  CHECK(first.exit_code == 1);
  CHECK(contains(first.err, "Error from server (InternalError)"));
  CHECK(ok(sim.kubectl({"label", "ns", "demo", "a=1"})) == "namespace/demo labeled\n");
  sim.set_faults(
      R"({"api_errors":[{"verb":"list","resource":"pods","status":503,"message":"etcd is sad"}]})");
  auto unavailable = sim.kubectl({"get", "pods", "-n", "demo", "--request-timeout=5s"});
  CHECK(unavailable.exit_code == 1);
  CHECK(contains(unavailable.err, "etcd is sad"));
  CHECK(ok(sim.kubectl({"get", "pod", "web-1", "-n", "demo", "-o", "name"})) ==
        "pod/web-1\n"); // get is not list
  auto log = sim.log();
  REQUIRE(log.size() == 2);
  CHECK(log[0]["code"].GetInt() == 500);
  CHECK(log[1]["code"].GetInt() == 200);
  CHECK(sim.stat("faults.api_errors") >= 2);
}

TEST_CASE("dropped connections and slow answers") {
  SimCluster sim;
  sim.set_faults(R"({"drops":[{"verb":"patch","resource":"namespaces","count":1}]})");
  auto dropped = sim.kubectl({"label", "ns", "demo", "b=2"});
  CHECK(dropped.exit_code == 1);
  CHECK(sim.stat("faults.drops") == 1);
  CHECK(ok(sim.kubectl({"get", "ns", "demo", "-o", "jsonpath={.metadata.labels.b}"})).empty());
  CHECK(sim.log()[0]["code"].GetInt() == 0); // recorded as never answered
  sim.set_faults(R"({"slow":[{"verb":"get","resource":"namespaces","ms":700}]})");
  auto start = std::chrono::steady_clock::now();
  ok(sim.kubectl({"get", "ns", "demo"}));
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(700));
  auto faults = sim.http("GET", "/simctl/faults");
  CHECK(contains(faults.body, "\"ms\":700"));
  CHECK(sim.http("POST", "/simctl/faults", "{\"drops\":5}").status == 400);
  sim.clear_faults();
  CHECK(contains(sim.http("GET", "/simctl/faults").body, "\"slow\":[]"));
}

TEST_CASE("the mutation log file and /simctl/log agree, and the counters count") {
  SimCluster sim;
  ok(sim.kubectl({"label", "ns", "demo", "x=1"}));
  ok(sim.kubectl({"create", "configmap", "c", "-n", "demo", "--from-literal=a=b"}));
  ok(sim.kubectl({"delete", "configmap", "c", "-n", "demo"}));
  ok(sim.kubectl({"exec", "web-1", "-n", "demo", "--", "echo", "hi"}));
  std::ifstream file(sim.log_file());
  std::stringstream text;
  text << file.rdbuf();
  CHECK(text.str() == sim.http("GET", "/simctl/log").body);
  auto log = sim.log();
  REQUIRE(log.size() == 3);
  CHECK(std::string(log[1]["verb"].GetString()) == "create");
  CHECK(std::string(log[2]["verb"].GetString()) == "delete");
  CHECK(log[2]["seq"].GetInt() == 3);
  CHECK(sim.stat("execs") == 1);
  CHECK(sim.stat("verb.patch") == 1);
  CHECK(sim.stat("verb.create") == 1);
  CHECK(sim.stat("requests") > 5);
  CHECK(sim.http("DELETE", "/simctl/log").status == 200);
  CHECK(sim.log().empty());
  CHECK(sim.http("GET", "/simctl/nope").status == 404);
}
