// traffic against meshca-sim with the real kubectl: the simulator's sidecars count requests and
// connections from the real trust relation between the pods at each moment, and serve the
// counters through pilot-agent's merged metrics endpoint as Istio's proxies do.

#include "plugin_runner.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <set>
#include <sys/stat.h>
#include <thread>

namespace {

using e2e::SimCluster;

std::string bundle_url(const SimCluster& sim) {
  return "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json";
}

meshca::ProcessOutput plugin(const SimCluster& sim, const std::string& name,
                             std::vector<std::string> args) {
  args.insert(args.end(), {"--meshca-bundle", bundle_url(sim)});
  return e2e::run_plugin(sim, "kubectl-meshca-" + name, args);
}

meshca::ProcessOutput traffic(const SimCluster& sim, std::vector<std::string> args = {}) {
  return plugin(sim, "traffic", std::move(args));
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

rapidjson::Document json_of(const meshca::ProcessOutput& r) {
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  REQUIRE_MESSAGE(!doc.HasParseError(), r.out << r.err);
  return doc;
}

// "source -> destination" of every pair with failures in a TrafficReport.
std::set<std::string> failing_pairs(const rapidjson::Document& report) {
  std::set<std::string> out;
  for (const auto& pair : report["pairs"].GetArray())
    if (pair["failures"].GetDouble() > 0)
      out.insert(std::string(pair["sourceWorkload"].GetString()) + "." +
                 pair["sourceNamespace"].GetString() + " -> " +
                 pair["destinationService"].GetString());
  return out;
}

std::set<std::string> all_pairs(const rapidjson::Document& report) {
  std::set<std::string> out;
  for (const auto& pair : report["pairs"].GetArray())
    out.insert(std::string(pair["sourceWorkload"].GetString()) + "." +
               pair["sourceNamespace"].GetString() + " -> " +
               pair["destinationService"].GetString());
  return out;
}

void relabel_and_restart(const SimCluster& sim, const std::string& ns, const std::string& rev) {
  REQUIRE(sim.kubectl({"label", "namespace", ns, "istio.io/rev=" + rev, "--overwrite"}).exit_code ==
          0);
  REQUIRE(sim.kubectl({"rollout", "restart", "deployment", "-n", ns}).exit_code == 0);
  auto status = sim.kubectl({"rollout", "status", "deployment", "-n", ns, "--timeout=60s"});
  REQUIRE_MESSAGE(status.exit_code == 0, status.err);
}

// The counters move with real time; a short pause lets a few requests through.
void let_traffic_flow() {
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
}

struct TempDir {
  std::string path;
  TempDir() {
    char name[] = "/tmp/meshca-traffic-e2e-XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    path = name;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

} // namespace

TEST_CASE("a clean mesh: every pair counted, none failing, exit 0, nothing written") {
  SimCluster sim(e2e::scenario("traffic.json"));
  let_traffic_flow();
  auto r = traffic(sim, {"-A"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "Traffic since each proxy started"));
  CHECK(contains(r.out, "SOURCE            DESTINATION       REQUESTS"));
  CHECK_FALSE(contains(r.out, "Failing pairs"));
  CHECK(contains(r.err, "6 sidecars read, 3 pairs, 0 failing."));
  auto report = json_of(traffic(sim, {"-A", "-o", "json"}));
  CHECK(std::string(report["kind"].GetString()) == "TrafficReport");
  CHECK(all_pairs(report) ==
        std::set<std::string>{"sleep.frontend -> httpbin.backend.svc.cluster.local",
                              "sleep.frontend -> mysql.db.svc.cluster.local",
                              "probe.tls-stats -> httpbin.backend.svc.cluster.local"});
  CHECK(failing_pairs(report).empty());
  for (const auto& pair : report["pairs"].GetArray()) {
    const double requests = pair["requests"].GetDouble();
    const double connections = pair["connections"].GetDouble();
    CHECK(requests + connections > 0);
  }
  CHECK(sim.log().empty()); // traffic only reads
}

TEST_CASE("a mixed-trust mesh: exactly the pairs whose certificates disagree fail, explained") {
  SimCluster sim(e2e::scenario("mixed-trust.json"));
  let_traffic_flow();
  auto r = traffic(sim, {"-A", "-o", "json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0); // history since each proxy started: a report, not a verdict
  auto report = json_of(r);
  CHECK(failing_pairs(report) ==
        std::set<std::string>{"app-a.ns-citadel -> app-c.ns-migration.svc.cluster.local",
                              "app-b.ns-mcroot -> app-d.ns-meshca.svc.cluster.local",
                              "app-d.ns-meshca -> app-a.ns-citadel.svc.cluster.local"});
  CHECK(all_pairs(report).size() == 6);
  auto text = traffic(sim, {"-A"});
  CHECK(contains(text.out, "app-a.ns-citadel [CITADEL] → app-c.ns-migration issued by [MESHCA]: "
                           "client does not trust the server's root"));
  CHECK(contains(text.out, "app-b.ns-mcroot [CITADEL MESHCA] → app-d.ns-meshca issued by "
                           "[MESHCA]: server does not trust the client's root"));
  CHECK(contains(text.out, "app-d.ns-meshca [MESHCA] → app-a.ns-citadel issued by [CITADEL]: "
                           "client does not trust the server's root"));
  CHECK(contains(text.err, "3 failing."));
}

TEST_CASE("a window across a rollout that breaks trust fails, one that keeps it passes") {
  SimCluster sim(e2e::scenario("traffic.json"));
  TempDir dir;
  const std::string before = dir.path + "/before.json";
  let_traffic_flow();
  auto saved = traffic(sim, {"-A", "--save", before});
  INFO(saved.out << saved.err);
  REQUIRE(saved.exit_code == 0);
  struct stat info {};
  REQUIRE(::stat(before.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(contains(saved.err, "Saved the counters of 6 sidecars to " + before));

  // backend to the round-1 revision: Citadel certificates, both roots; clients keep working.
  relabel_and_restart(sim, "backend", "rev-mcroot");
  let_traffic_flow();
  auto kept = traffic(sim, {"-A", "--since", before});
  INFO(kept.out << kept.err);
  CHECK(kept.exit_code == 0);
  CHECK(contains(kept.out, "Traffic in the window: since " + before));
  CHECK(contains(kept.err, "OK: no failure rose in the window."));
  CHECK(contains(kept.err, "2 new and 0 restarted proxies counted from zero"));

  // Then to Mesh CA certificates: the Citadel-only clients cannot verify httpbin any more.
  REQUIRE(traffic(sim, {"-A", "--save", before}).exit_code == 0);
  relabel_and_restart(sim, "backend", "rev-meshca");
  let_traffic_flow();
  auto broke = traffic(sim, {"-A", "--since", before, "-o", "wide"});
  INFO(broke.out << broke.err);
  CHECK(broke.exit_code == 1);
  CHECK(contains(broke.out, "sleep.frontend [CITADEL] → httpbin.backend issued by [MESHCA]: "
                            "client does not trust the server's root"));
  CHECK(contains(broke.out, "probe.tls-stats [CITADEL] → httpbin.backend issued by [MESHCA]"));
  CHECK_FALSE(contains(broke.out, "→ mysql.db"));
  CHECK(contains(broke.out, "TLS-HANDSHAKES"));
  CHECK(contains(broke.err, "FAILED: failures rose in the window: 2 pairs failing to connect."));
  auto report = json_of(traffic(sim, {"-A", "--since", before, "-o", "json"}));
  CHECK(report["failuresRose"].GetBool());
  CHECK(failing_pairs(report) ==
        std::set<std::string>{"sleep.frontend -> httpbin.backend.svc.cluster.local",
                              "probe.tls-stats -> httpbin.backend.svc.cluster.local"});
  // probe emits Envoy's TLS counters: its failures are certificate verification failures
  for (const auto& pair : report["pairs"].GetArray())
    if (std::string(pair["sourceWorkload"].GetString()) == "probe") {
      REQUIRE(pair.HasMember("tls"));
      CHECK(pair["tls"]["failVerifyError"].GetDouble() > 0);
    }
}

TEST_CASE("pods replaced between snapshots count from zero, and a steady mesh does not fail") {
  SimCluster sim(e2e::scenario("traffic.json"));
  TempDir dir;
  const std::string before = dir.path + "/before.json";
  let_traffic_flow();
  REQUIRE(traffic(sim, {"-A", "--save", before}).exit_code == 0);
  auto pod = sim.kubectl({"get", "pods", "-n", "frontend", "-l", "app=sleep", "-o",
                          "jsonpath={.items[0].metadata.name}"});
  REQUIRE(sim.kubectl({"delete", "pod", "-n", "frontend", pod.out}).exit_code == 0);
  REQUIRE(sim.kubectl({"rollout", "status", "deployment/sleep", "-n", "frontend", "--timeout=60s"})
              .exit_code == 0);
  let_traffic_flow();
  auto r = traffic(sim, {"-A", "--since", before, "-o", "json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  auto report = json_of(r);
  CHECK(report["newPods"].GetUint() == 1);
  CHECK_FALSE(report["failuresRose"].GetBool());
  for (const auto& pair : report["pairs"].GetArray())
    CHECK(pair["requests"].GetDouble() + pair["connections"].GetDouble() >= 0);
}

TEST_CASE("--window reads twice, and sidecars without the TLS counters are named with the fix") {
  SimCluster sim(e2e::scenario("traffic.json"));
  auto r = traffic(sim, {"frontend", "tls-stats", "--window", "2s"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "Traffic in the window: 2s (two reads)"));
  CHECK(contains(r.err, "reading again in 2s"));
  CHECK(contains(r.out, "TLS counters: 2 of 3 sidecars do not emit them (frontend/sleep-"));
  CHECK(contains(r.out, "proxy.istio.io/config: '{\"proxyStatsMatcher\":{\"inclusionRegexps\":"
                        "[\".*ssl.*\"]}}'"));
  auto report = json_of(traffic(sim, {"tls-stats", "-o", "json"}));
  REQUIRE(report["pods"].Size() == 1);
  CHECK(report["pods"][0]["tlsCounters"].GetBool());
  CHECK(report["pods"][0]["agentMetrics"].GetBool());
}

TEST_CASE("a proxy that cannot reach istiod is named, and fails a window") {
  SimCluster sim(e2e::scenario("traffic.json"));
  TempDir dir;
  const std::string before = dir.path + "/before.json";
  REQUIRE(traffic(sim, {"db", "--save", before}).exit_code == 0);
  auto scaled = sim.kubectl({"patch", "deployment", "istiod-rev-citadel", "-n", "istio-system",
                             "--type=merge", "-p", R"({"spec":{"replicas":0}})"});
  REQUIRE_MESSAGE(scaled.exit_code == 0, scaled.err);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto r = traffic(sim, {"db", "--since", before});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "Proxies that could not reach or verify istiod (1):\n  db/mysql-"));
  CHECK(contains(r.err, "1 proxy failing to reach istiod"));
}

TEST_CASE("rollout --verify-traffic: exit 1 when the rollout breaks trust, 0 when it does not") {
  SimCluster sim(e2e::scenario("traffic.json"));
  let_traffic_flow();
  REQUIRE(sim.kubectl({"label", "namespace", "backend", "istio.io/rev=rev-mcroot", "--overwrite"})
              .exit_code == 0);
  auto kept = plugin(sim, "rollout", {"backend", "--verify-traffic", "--window", "2s"});
  INFO(kept.out << kept.err);
  CHECK(kept.exit_code == 0);
  CHECK(contains(kept.out, "Traffic: OK, no connection failure rose"));
  CHECK(contains(kept.err, "Traffic: read the counters of 6 sidecars before the step"));

  REQUIRE(sim.kubectl({"label", "namespace", "backend", "istio.io/rev=rev-meshca", "--overwrite"})
              .exit_code == 0);
  auto broke = plugin(sim, "rollout", {"backend", "--verify-traffic", "--window", "2s", "--force"});
  INFO(broke.out << broke.err);
  CHECK(broke.exit_code == 1);
  CHECK(contains(broke.out, "Traffic: FAILED, failures rose"));
  CHECK(contains(broke.out, "sleep.frontend [CITADEL] → httpbin.backend issued by [MESHCA]: "
                            "client does not trust the server's root"));
}

TEST_CASE("bad snapshots and unreadable pods") {
  SimCluster sim(e2e::scenario("traffic.json"));
  TempDir dir;
  auto missing = traffic(sim, {"-A", "--since", dir.path + "/none.json"});
  CHECK(missing.exit_code == 2);
  CHECK(contains(missing.err, dir.path + "/none.json"));
  const std::string foreign = dir.path + "/foreign.json";
  {
    std::FILE* f = std::fopen(foreign.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("{\"kind\":\"PreflightReport\"}", f);
    std::fclose(f);
  }
  auto wrong = traffic(sim, {"-A", "--since", foreign});
  CHECK(wrong.exit_code == 2);
  CHECK(contains(wrong.err, "is not a traffic snapshot"));
  CHECK(traffic(sim, {"-A", "--since", foreign, "--window", "5s"}).exit_code == 2);
  auto nowhere = traffic(sim, {"-A", "--save", dir.path + "/missing/snap.json"});
  CHECK(nowhere.exit_code == 2);
  CHECK(contains(nowhere.err, "its folder does not exist"));
  CHECK(nowhere.out.empty()); // refused before anything was read
  CHECK(traffic(sim, {"no-such-namespace"}).exit_code == 2);

  auto pod = sim.kubectl({"get", "pods", "-n", "backend", "-l", "app=httpbin", "-o",
                          "jsonpath={.items[0].metadata.name}"});
  sim.set_faults(R"({"exec_errors":[{"pod":"backend/)" + pod.out +
                 R"(","exit_code":1,"stderr":"Error: failed to connect to the admin port"}]})");
  auto broken = traffic(sim, {"-A"});
  INFO(broken.out << broken.err);
  CHECK(broken.exit_code == 3);
  CHECK(contains(broken.out, "Sidecars not read (1):\n  ERROR: pod \"backend/" + pod.out));
  CHECK(contains(broken.out, "sleep.frontend    httpbin.backend"));
  // and the step is refused before it starts: its failures could not be told from old ones
  auto refused = plugin(sim, "rollout", {"frontend", "--verify-traffic"});
  CHECK(refused.exit_code == 3);
  CHECK(contains(refused.err, "could not be read before the step"));
  CHECK(sim.log().empty());
}

TEST_CASE("prune-revision --verify-traffic: removing an unused revision breaks nothing") {
  SimCluster sim(e2e::scenario("traffic.json"));
  let_traffic_flow();
  auto r = e2e::run_plugin(sim, "kubectl-meshca-prune_revision",
                           {"rev-mcroot", "--yes", "--verify-traffic", "--window", "2s"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.err, "Traffic: read the counters of 6 sidecars before the step"));
  CHECK(contains(r.err, "Traffic: counting for 2s after the step..."));
  CHECK(contains(r.err, "Revision rev-mcroot is removed."));
  CHECK(contains(r.out, "Traffic: OK, no connection failure rose"));
  CHECK(sim.kubectl({"get", "deployment", "istiod-rev-mcroot", "-n", "istio-system"}).exit_code !=
        0);
  // a dry run changes nothing, so there is nothing to watch: bad usage, nothing read
  auto dry = e2e::run_plugin(sim, "kubectl-meshca-prune_revision",
                             {"rev-meshca", "--dry-run", "--verify-traffic"});
  CHECK(dry.exit_code == 2);
}
