// kubectl meshca rollout against the demo cluster, through the real kubectl: the first round of
// the migration (relabel | rollout, check-root shows the Mesh CA root), its rollback, the
// stragglers it reports, a rollout that never completes, and dry runs.

// doctest first: plugin_runner.h uses its macros.
#include "plugin_runner.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <regex>
#include <sstream>

using e2e::SimCluster;

namespace {

constexpr const char* kRelabel = "kubectl-meshca-relabel";
constexpr const char* kRollout = "kubectl-meshca-rollout";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

meshca::ProcessOutput rollout(const SimCluster& sim, const std::vector<std::string>& args,
                              std::optional<std::string> input = {}) {
  return e2e::run_plugin(sim, kRollout, args, std::move(input));
}

// check-root's verdict lines for a namespace ("POD.NS trusts [...]"), with the simulator's own
// Mesh CA bundle.
std::vector<std::string> trust_lines(const SimCluster& sim, const std::string& ns) {
  auto out = e2e::run_plugin(
      sim, "kubectl-meshca-check_root",
      {ns, "--meshca-bundle",
       "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json"});
  INFO(out.err);
  REQUIRE(out.exit_code == 0);
  std::vector<std::string> lines;
  std::istringstream in(out.out);
  for (std::string line; std::getline(in, line);)
    if (contains(line, " trusts "))
      lines.push_back(line);
  return lines;
}

// True when every line ends with `verdict` (and there is at least one).
bool all_trust(const std::vector<std::string>& lines, const std::string& verdict) {
  if (lines.empty())
    return false;
  for (const std::string& line : lines)
    if (!line.ends_with("trusts " + verdict))
      return false;
  return true;
}

// Mutation log entries (client requests that change the cluster).
std::vector<rapidjson::Document> mutations_since(const SimCluster& sim, std::size_t from) {
  auto log = sim.log();
  std::vector<rapidjson::Document> tail;
  for (std::size_t i = from; i < log.size(); ++i)
    tail.push_back(std::move(log[i]));
  return tail;
}

} // namespace

TEST_CASE("round 1: relabel -o name | rollout - moves bookinfo to the Mesh CA root, and back") {
  SimCluster sim(e2e::scenario("demo.json"));
  REQUIRE(all_trust(trust_lines(sim, "bookinfo"), "[CITADEL]"));
  auto names = e2e::run_plugin(sim, kRelabel,
                               {"ns", "bookinfo", "--revision", "asm-1-19-mcroot", "-o", "name"});
  REQUIRE(names.exit_code == 0);
  CHECK(names.out == "namespace/bookinfo\n");
  auto moved = rollout(sim, {"-", "--timeout", "60s"}, names.out);
  INFO(moved.out, moved.err);
  REQUIRE(moved.exit_code == 0);
  CHECK(contains(moved.out,
                 "namespace bookinfo (istio.io/rev=asm-1-19-mcroot): revision asm-1-19-mcroot\n"));
  for (const char* deployment : {"details", "productpage", "ratings", "reviews"})
    CHECK(contains(moved.out, "deployment/" + std::string(deployment)));
  CHECK(contains(moved.out, "7 sidecar pods on asm-1-19-mcroot"));
  CHECK(contains(moved.out, "Every running sidecar pod carries its namespace's revision."));
  const auto after = trust_lines(sim, "bookinfo");
  CHECK(after.size() == 7);
  CHECK(all_trust(after, "[CITADEL MESHCA]"));

  // Rollback: exactly the labels there were, restart, and the sidecars trust Citadel only.
  auto undo = e2e::run_plugin(sim, kRelabel, {"ns", "bookinfo", "--undo", "-o", "name"});
  REQUIRE(undo.exit_code == 0);
  auto back = rollout(sim, {"-", "--timeout", "60s"}, undo.out);
  INFO(back.out, back.err);
  REQUIRE(back.exit_code == 0);
  CHECK(contains(back.out, "namespace bookinfo (istio-injection=enabled): revision asm-1-19\n"));
  CHECK(all_trust(trust_lines(sim, "bookinfo"), "[CITADEL]"));
}

TEST_CASE("rollout lists what did not move, with owner and action, and exits 1") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto names = e2e::run_plugin(
      sim, kRelabel,
      {"ns", "shop", "observability", "batch", "--revision", "asm-1-19-mcroot", "-o", "name"});
  REQUIRE(names.exit_code == 0);
  auto result = rollout(sim, {"-", "--timeout", "60s", "-o", "json"}, names.out);
  INFO(result.out, result.err);
  CHECK(result.exit_code == 1);
  rapidjson::Document doc;
  doc.Parse(result.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK_FALSE(doc["moved"].GetBool());
  std::vector<std::string> owners;
  for (const auto& entry : doc["notMoved"].GetArray())
    owners.push_back(std::string(entry["namespace"].GetString()) + " " +
                     entry["owner"]["kind"].GetString() + "/" + entry["owner"]["name"].GetString() +
                     ": " + entry["reason"].GetString());
  std::sort(owners.begin(), owners.end());
  CHECK(owners == std::vector<std::string>{
                      "batch Job/db-migrate: Job pod",
                      "batch Pod/debug-shell: bare pod",
                      "observability Deployment/collector: paused Deployment (not restarted)",
                      "shop StatefulSet/redis: OnDelete StatefulSet (not restarted)",
                  });
  // The paused Deployment and the OnDelete StatefulSet were not restarted.
  for (const auto& entry : sim.log()) {
    const std::string name = entry["name"].GetString();
    CHECK(name != "collector");
    CHECK(name != "redis");
  }
  // Following the actions moves them: resume, delete the OnDelete pod, rerun.
  REQUIRE(
      sim.kubectl({"rollout", "resume", "deployment/collector", "-n", "observability"}).exit_code ==
      0);
  REQUIRE(sim.kubectl({"delete", "pod", "redis-0", "-n", "shop"}).exit_code == 0);
  auto rerun = rollout(sim, {"shop", "observability", "--timeout", "60s"});
  INFO(rerun.out, rerun.err);
  CHECK(rerun.exit_code == 0);
  CHECK(all_trust(trust_lines(sim, "shop"), "[CITADEL MESHCA]"));
  // The batch stragglers stay until the Job ends and the bare pod is recreated; the opted-out
  // Deployment is not counted.
  auto batch = rollout(sim, {"batch", "--timeout", "60s"});
  CHECK(batch.exit_code == 1);
  CHECK(contains(
      batch.out,
      "batch: pod/debug-shell (bare pod): debug-shell (on asm-1-19); want asm-1-19-mcroot"));
  CHECK(contains(batch.out, "recreate it: kubectl delete pod debug-shell -n batch"));
  CHECK(contains(batch.out, "batch: job/db-migrate (Job pod)"));
  CHECK(contains(batch.out, "1 without sidecar by choice"));
}

TEST_CASE("a rollout that never completes times out and is reported") {
  SimCluster sim(e2e::scenario("demo.json", {"--stuck-rollout", "bookinfo/reviews"}));
  REQUIRE(e2e::run_plugin(sim, kRelabel, {"ns", "bookinfo", "--revision", "asm-1-19-mcroot"})
              .exit_code == 0);
  auto result = rollout(sim, {"bookinfo", "--timeout", "3s"});
  INFO(result.out, result.err);
  CHECK(result.exit_code == 1);
  CHECK(contains(result.out, "deployment/details       restarted, rollout complete"));
  CHECK(contains(result.out, "deployment/reviews       restarted, rollout timed out"));
  CHECK(contains(result.out, "bookinfo: deployment/reviews (rollout timed out)"));
  CHECK(contains(result.out, "see kubectl rollout status deployment/reviews -n bookinfo"));
}

TEST_CASE(
    "rollout --dry-run sends nothing (client) or only dry runs (server) and predicts stragglers") {
  SimCluster sim(e2e::scenario("demo.json"));
  REQUIRE(e2e::run_plugin(sim, kRelabel, {"ns", "observability", "--revision", "asm-1-19-mcroot"})
              .exit_code == 0);
  const std::size_t before = sim.log().size();
  auto client = rollout(sim, {"observability", "--dry-run"});
  INFO(client.out, client.err);
  CHECK(client.exit_code == 0);
  CHECK(contains(client.out, "daemonset/log-agent    would restart (dry run)"));
  CHECK(contains(client.out, "Will not move:"));
  CHECK(contains(client.out,
                 "observability: deployment/collector (paused Deployment (not restarted))"));
  CHECK(mutations_since(sim, before).empty());
  auto server = rollout(sim, {"observability", "--dry-run=server"});
  CHECK(server.exit_code == 0);
  const auto sent = mutations_since(sim, before);
  REQUIRE(sent.size() == 1);
  CHECK(std::string(sent[0]["name"].GetString()) == "log-agent");
  CHECK(sent[0]["dryRun"].GetBool());
}

TEST_CASE("rollout refuses unknown and uninjected namespaces before restarting anything") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto unknown = rollout(sim, {"bookinfo", "nope"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "kubectl meshca rollout: error: namespace \"nope\": not found"));
  auto plain = rollout(sim, {"bookinfo", "plain"});
  CHECK(plain.exit_code == 1);
  CHECK(contains(plain.err, "namespace \"plain\" has no sidecar injection label"));
  auto empty = rollout(sim, {"-"}, "");
  CHECK(empty.exit_code == 2);
  CHECK(sim.log().empty());
}

TEST_CASE("rollout --gateways restarts the istio-system gateways of the namespace's revision") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto result = rollout(sim, {"bookinfo", "--kinds", "deployment", "--gateways", "--timeout", "60s",
                              "--restart-all"});
  INFO(result.out, result.err);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "gateways of revision asm-1-19 in istio-system\n"));
  CHECK(contains(result.out, "deployment/istio-ingressgateway   restarted, rollout complete"));
  bool gateway_restarted = false;
  for (const auto& entry : sim.log())
    gateway_restarted =
        gateway_restarted || (std::string(entry["namespace"].GetString()) == "istio-system" &&
                              std::string(entry["name"].GetString()) == "istio-ingressgateway");
  CHECK(gateway_restarted);
}

TEST_CASE("a second rollout restarts nothing, and a workload without a sidecar by choice is never "
          "patched") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto names = e2e::run_plugin(
      sim, kRelabel, {"ns", "bookinfo", "batch", "--revision", "asm-1-19-mcroot", "-o", "name"});
  REQUIRE(names.exit_code == 0);
  auto first = rollout(sim, {"-", "--timeout", "60s"}, names.out);
  INFO(first.out, first.err);
  CHECK(first.exit_code == 1); // batch's bare pod and Job pod cannot be moved by a restart
  CHECK(contains(first.out, "deployment/legacy-batch   no sidecar by choice\n"));
  for (const char* deployment : {"details", "productpage", "ratings", "reviews"}) {
    const std::size_t at = first.out.find("deployment/" + std::string(deployment) + " ");
    REQUIRE(at != std::string::npos);
    CHECK(first.out.substr(at, first.out.find('\n', at) - at)
              .ends_with("restarted, rollout complete"));
  }
  const std::size_t after_first = sim.log().size();

  auto second = rollout(sim, {"bookinfo", "batch", "--timeout", "60s", "-o", "json"});
  INFO(second.out, second.err);
  CHECK(second.exit_code == 1); // the same stragglers, still listed
  CHECK(contains(second.out, R"("skipReason": "alreadyOnRevision")"));
  CHECK(contains(second.out, R"("skipReason": "noSidecarByChoice")"));
  std::size_t patches = 0;
  for (const auto& entry : mutations_since(sim, after_first))
    patches += std::string(entry["verb"].GetString()) == "patch" ? 1 : 0;
  CHECK(patches == 0); // the second rollout sent no restart
  for (const auto& entry : sim.log())
    CHECK(std::string(entry["name"].GetString()) != "legacy-batch");

  auto text = rollout(sim, {"bookinfo", "--timeout", "60s"});
  CHECK(text.exit_code == 0);
  CHECK(contains(text.out, "deployment/reviews       already on asm-1-19-mcroot\n"));
  CHECK(sim.log().size() == after_first);
}
