#include "server/fault_flags.h"
#include "server/faults.h"

#include <doctest/doctest.h>

using namespace sim;

TEST_CASE("counted API faults are consumed, matching by verb, resource, subresource and name") {
  Faults faults;
  REQUIRE_FALSE(faults.apply_json(
      R"({"api_errors":[{"verb":"patch","resource":"namespaces","status":503,"count":2}],
                                      "drops":[{"verb":"*","resource":"pods/exec","name":"web"}]})"));
  RequestKey patch{"patch", "namespaces", "", "", "demo"};
  CHECK(faults.take_api_error(patch)->status == 503);
  CHECK(faults.take_api_error(patch));
  CHECK_FALSE(faults.take_api_error(patch));
  CHECK_FALSE(faults.take_api_error({"get", "namespaces", "", "", "demo"}));
  CHECK(faults.take_drop({"exec", "pods", "exec", "demo", "web"}));
  CHECK(faults.take_drop({"exec", "pods", "exec", "demo", "web"})); // count 0: always
  CHECK_FALSE(faults.take_drop({"exec", "pods", "exec", "demo", "other"}));
  CHECK_FALSE(faults.take_drop({"get", "pods", "", "demo", "web"}));
}

TEST_CASE("exec faults by ns/name or bare name, and clearing") {
  Faults faults;
  REQUIRE_FALSE(faults.apply_json(
      R"({"exec_latency_ms":50,"exec_errors":[{"pod":"demo/a","exit_code":3,"stderr":"x"}],
                                      "exec_hang":["b"]})"));
  CHECK(faults.exec_latency_ms() == 50);
  CHECK(faults.exec_error("demo", "a")->exit_code == 3);
  CHECK_FALSE(faults.exec_error("other", "a"));
  CHECK(faults.exec_hangs("any", "b"));
  faults.clear();
  CHECK(faults.exec_latency_ms() == 0);
  CHECK_FALSE(faults.exec_hangs("any", "b"));
}

TEST_CASE("a malformed fault document changes nothing") {
  Faults faults;
  REQUIRE_FALSE(faults.apply_json(R"({"exec_hang":["a"]})"));
  CHECK(faults.apply_json("[1]"));
  CHECK(faults.apply_json(R"({"exec_hang":["b"],"drops":{"verb":"get"}})") ==
        "drops must be an array of rules");
  CHECK(faults.exec_hangs("x", "a"));
  CHECK_FALSE(faults.exec_hangs("x", "b"));
  CHECK(faults.apply_json(R"({"stuck_rollouts":[{"name":"web"}]})")->find("--scenario") !=
        std::string::npos);
  bool called = false;
  faults.set_stuck_rollout_handler([&](const std::string& ns, const std::string& name, bool stuck) {
    called = ns == "demo" && name == "web" && stuck;
  });
  CHECK_FALSE(faults.apply_json(R"({"stuck_rollouts":[{"namespace":"demo","name":"web"}]})"));
  CHECK(called);
}

TEST_CASE("fault flags become one fault document") {
  FaultFlags flags;
  flags.exec_latency_ms = 5;
  flags.api_errors = {"patch:namespaces:500:1"};
  flags.drops = {"get:pods"};
  flags.exec_errors = {"demo/web:7:boom"};
  flags.stuck_rollouts = {"demo/web"};
  auto doc = fault_flags_to_json(flags);
  REQUIRE(doc.error.empty());
  Faults faults;
  faults.set_stuck_rollout_handler([](const std::string&, const std::string&, bool) {});
  REQUIRE_FALSE(faults.apply_json(doc.json));
  CHECK(faults.exec_error("demo", "web")->stderr_text == "boom\n");
  CHECK(faults.take_api_error({"patch", "namespaces", "", "", "x"})->status == 500);
  FaultFlags bad;
  bad.api_errors = {"patch:namespaces"};
  CHECK(fault_flags_to_json(bad).error ==
        "--fault-api-error \"patch:namespaces\": expected VERB:RESOURCE:STATUS[:COUNT]");
  FaultFlags bad_pod;
  bad_pod.stuck_rollouts = {"web"};
  CHECK(!fault_flags_to_json(bad_pod).error.empty());
}
