// migrate against meshca-sim with the real kubectl: the whole migration of a two-cluster mesh
// from plain Citadel to Mesh CA with `migrate plan` and `migrate apply` only (the simulator
// playing asmcli's installs), lockstep holding one cluster back, the ledger and its lease, Ctrl-C
// and a resumed run, and a dry run that changes nothing.

#include "spawned_plugin.h"
#include "two_clusters.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <iterator>
#include <rapidjson/document.h>
#include <regex>

namespace {

namespace fs = std::filesystem;
using e2e::SimCluster;
using namespace std::chrono_literals;

const std::string kMigrate = "kubectl-meshca-migrate";
const std::string kRound1 = R"({"revision": {"name": "asm-mcroot", "ca": "citadel-meshca-root"}})";
const std::string kRound2 = R"({"revision": {"name": "asm-meshca", "ca": "meshca-migration"}})";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string bundle_url(const SimCluster& sim) {
  return "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json";
}

// asmcli's part: the simulator installs a revision, as `asmcli install` would.
void install(const SimCluster& sim, const std::string& body) {
  const auto reply = sim.http("POST", "/simctl/install", body);
  REQUIRE_MESSAGE(reply.status == 201, reply.body);
}

// Two clusters of one mesh, run through migrate.
struct TwoClusters : e2e::TwoClusters {
  TwoClusters() : e2e::TwoClusters("migrate.json") {}
  meshca::ProcessOutput migrate(std::vector<std::string> args) const { return run(kMigrate, args); }
};

meshca::ProcessOutput migrate(const SimCluster& sim, std::vector<std::string> args) {
  args.insert(args.end(), {"--meshca-bundle", bundle_url(sim)});
  return e2e::run_plugin(sim, kMigrate, args);
}

// The namespace's istio.io/rev label ("" when unset).
std::string rev_label(const SimCluster& sim, const std::string& ns) {
  return sim.kubectl({"get", "namespace", ns, "-o", "jsonpath={.metadata.labels.istio\\.io/rev}"})
      .out;
}

rapidjson::Document ledger(const SimCluster& sim) {
  auto text = sim.kubectl({"get", "configmap", "kubectl-meshca-migration", "-n", "istio-system",
                           "-o", "jsonpath={.data.ledger\\.json}"});
  REQUIRE_MESSAGE(text.exit_code == 0, text.err);
  rapidjson::Document doc;
  doc.Parse(text.out.c_str());
  REQUIRE_MESSAGE(!doc.HasParseError(), text.out);
  return doc;
}

std::vector<std::string> ledger_steps(const SimCluster& sim) {
  std::vector<std::string> ids;
  auto doc = ledger(sim);
  for (const auto& step : doc["steps"].GetArray())
    ids.emplace_back(step["step"].GetString());
  return ids;
}

bool has(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::size_t mutations(const SimCluster& sim) {
  return sim.log().size();
}

// check-root's final verdict on one cluster: every sidecar holds a Mesh CA certificate, trusts
// the Mesh CA root and no longer the Citadel root.
void check_finished(const SimCluster& sim, const std::string& bundle) {
  auto result = e2e::run_plugin(sim, "kubectl-meshca-check_root",
                                {"-A", "--workload-cert", "--require", "MESHCA", "--forbid",
                                 "CITADEL", "--meshca-bundle", bundle});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK_FALSE(contains(result.out, "issued by [CITADEL]"));
}

} // namespace

TEST_CASE("migrate plan on a plain Citadel mesh: the asmcli install is next, nothing changes") {
  SimCluster sim(e2e::scenario("migrate.json"));
  auto plan = migrate(sim, {"plan"});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 0);
  CHECK(contains(plan.out, "asmcli install --ca citadel --option ca-migration-citadel"));
  CHECK(contains(plan.out, "install-round1"));
  auto json = migrate(sim, {"plan", "-o", "json"});
  rapidjson::Document doc;
  doc.Parse(json.out.c_str());
  REQUIRE_MESSAGE(!doc.HasParseError(), json.out << json.err);
  CHECK(std::string(doc["kind"].GetString()) == "MigrationPlan");
  CHECK(mutations(sim) == 0);
}

TEST_CASE("migrate apply --dry-run says what it would run and changes nothing") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto dry = migrate(sim, {"apply", "--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(contains(dry.out, "would run relabel-round1: kubectl meshca relabel ns --all --revision "
                          "asm-1-19-mcroot"));
  CHECK(contains(dry.out, "dry run: nothing was changed"));
  CHECK(mutations(sim) == 0);
  // No ledger either.
  CHECK(sim.kubectl({"get", "configmap", "kubectl-meshca-migration", "-n", "istio-system"})
            .exit_code != 0);
}

TEST_CASE("the lists go through the run's kubectl proxy: the same plan as kubectl's own reads") {
  SimCluster sim(e2e::scenario("demo.json"));
  // Round 1 started: a ledger, relabelled namespaces, two revisions' webhooks and IstioOperators.
  // Its relabel step's trust gate reads the sidecars through the run's one proxy.
  auto started = migrate(sim, {"apply", "--until", "relabel-round1", "-v"});
  REQUIRE_MESSAGE(started.exit_code == 0, started.out << started.err);
  const std::regex proxy_started(R"(\+ \S*kubectl proxy '?--unix-socket=)");
  CHECK(std::distance(std::sregex_iterator(started.err.begin(), started.err.end(), proxy_started),
                      std::sregex_iterator()) == 1);
  CHECK(contains(started.err, "trust gate: "));
  CHECK(contains(started.err, "/exec?command=pilot-agent&command=request&command=GET"));
  for (const std::string format : {"text", "json"}) {
    auto processes = migrate(sim, {"plan", "--transport", "exec", "-o", format});
    auto proxied = migrate(sim, {"plan", "--transport", "proxy", "-o", format});
    INFO(processes.err << proxied.err);
    CHECK(processes.exit_code == proxied.exit_code);
    CHECK(processes.out == proxied.out);
  }

  // -v: one request per list through the proxy, no kubectl process for it; Secrets stay kubectl's.
  auto verbose = migrate(sim, {"plan", "--transport", "proxy", "-v"});
  INFO(verbose.err);
  CHECK(contains(verbose.err,
                 "+ GET /apis/apps/v1/deployments?labelSelector=istio.io%2Frev&limit=500\n"));
  CHECK(contains(verbose.err, "+ GET /apis/install.istio.io/v1alpha1/namespaces/istio-system/"
                              "istiooperators?limit=500\n"));
  CHECK(contains(verbose.err,
                 "+ GET /api/v1/namespaces/istio-system/configmaps/kubectl-meshca-migration\n"));
  CHECK_FALSE(contains(verbose.err, " get deployments "));
  CHECK(contains(verbose.err, " get secret cacerts istio-ca-secret -n istio-system"));
  auto by_kubectl = migrate(sim, {"plan", "--transport", "exec", "-v"});
  CHECK(contains(by_kubectl.err, " get deployments --all-namespaces --selector istio.io/rev"));

  // A list the API keeps failing: the client's three attempts, not three times three.
  sim.set_faults(R"({"api_errors": [{"verb": "list", "resource": "deployments", "status": 500}]})");
  auto failed = migrate(sim, {"plan", "--transport", "proxy"});
  INFO(failed.out << failed.err);
  CHECK(failed.exit_code == 3);
  // Worded as kubectl's own reads word it: the call, then the attempts.
  CHECK(contains(failed.err, "listing control-plane and gateway Deployments: Error from server "
                             "(InternalError): simulated fault: list deployments failed (kubectl "
                             "get deployments --all-namespaces --selector istio.io/rev -o json) "
                             "(3 attempts over "));
  CHECK(sim.stat("faults.api_errors") == 3);

  // A list that does not answer: each attempt ends at the user's --request-timeout, as kubectl's.
  sim.clear_faults();
  sim.set_faults(R"({"slow": [{"verb": "list", "resource": "deployments", "ms": 20000}]})");
  const auto start = std::chrono::steady_clock::now();
  auto slow = migrate(sim, {"plan", "--transport", "proxy", "--request-timeout", "1s"});
  INFO(slow.out << slow.err);
  CHECK(slow.exit_code == 3);
  CHECK(contains(slow.err, "listing control-plane and gateway Deployments: "));
  CHECK(contains(slow.err, "(3 attempts over "));
  // A minute when the timeout is not applied; about 5 s when it is (room left for a sanitizer
  // build on a loaded machine).
  CHECK(std::chrono::steady_clock::now() - start < 30s);
}

TEST_CASE("migrate: bad flags are exit 2 and change nothing") {
  SimCluster sim(e2e::scenario("migrate.json"));
  for (const auto& args : std::vector<std::vector<std::string>>{{},
                                                                {"upgrade"},
                                                                {"apply", "--until", "relabel"},
                                                                {"apply", "-o", "json"},
                                                                {"plan", "--yes"},
                                                                {"apply", "--to", "citadel"},
                                                                {"apply", "--timeout", "0s"}}) {
    auto result = migrate(sim, args);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "kubectl meshca migrate: error: "));
  }
  CHECK(mutations(sim) == 0);
}

TEST_CASE("two clusters, plain Citadel to Mesh CA with migrate only: lockstep holds the cluster "
          "that is ahead, every step is recorded, check-root proves the end") {
  TwoClusters mesh;
  const std::string backups = mesh.east.dir() + "/backups";

  // Nothing installed: both clusters wait for the operator's asmcli.
  auto plan = mesh.migrate({"plan"});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 0);
  CHECK(contains(plan.out, "east"));
  CHECK(contains(plan.out, "west"));
  auto first = mesh.migrate({"apply", "--yes"});
  INFO(first.out << first.err);
  CHECK(first.exit_code == 0);
  CHECK(contains(first.out, "east: install-round1 is yours to run: asmcli install --ca citadel "
                            "--option ca-migration-citadel --revision_name REV1"));
  CHECK(mutations(mesh.east) == 2); // the ledger: created with the lease, then released
  CHECK(mutations(mesh.west) == 2);

  // East installs both revisions at once; west none. East finishes round 1, then waits: a Mesh
  // CA certificate in east would be rejected by west's Citadel-only sidecars.
  install(mesh.east, kRound1);
  install(mesh.east, kRound2);
  auto ahead = mesh.migrate({"apply", "--yes"});
  INFO(ahead.out << ahead.err);
  CHECK(ahead.exit_code == 0);
  CHECK(contains(ahead.out, "east: relabel-round2 waits until every cluster's sidecars trust the "
                            "Mesh CA root: west: "));
  CHECK(contains(ahead.out, "west: install-round1 is yours to run"));
  for (const char* ns : {"shop", "pay", "ops"})
    CHECK(rev_label(mesh.east, ns) == "asm-mcroot");
  CHECK(
      mesh.east.kubectl({"get", "deployment", "istiod-asm-old", "-n", "istio-system"}).exit_code !=
      0); // pruned
  auto east_steps = ledger_steps(mesh.east);
  for (const char* id : {"relabel-round1", "rollout-round1", "gateways-round1", "verify-round1",
                         "tags-round1", "prune-round1"})
    CHECK_MESSAGE(has(east_steps, id), id);
  CHECK_FALSE(has(east_steps, "relabel-round2"));
  auto east_ledger = ledger(mesh.east);
  for (const auto& step : east_ledger["steps"].GetArray())
    if (std::string(step["step"].GetString()) == "verify-round1") {
      CHECK(std::string(step["sha256"].GetString()).size() == 64);
      CHECK(contains(step["evidence"].GetString(), "trust [CITADEL MESHCA]"));
    }
  CHECK_FALSE(east_ledger.HasMember("lease")); // released
  CHECK(rev_label(mesh.west, "shop").empty());

  // West catches up with round 1; east goes on with round 2, and stops before retiring the
  // Citadel CA while west's sidecars still hold Citadel certificates.
  install(mesh.west, kRound1);
  auto catch_up = mesh.migrate({"apply", "--yes"});
  INFO(catch_up.out << catch_up.err);
  CHECK(catch_up.exit_code == 0);
  CHECK(contains(catch_up.out, "east: cleanup-secrets waits until no sidecar in any cluster "
                               "holds a Citadel-issued certificate: west: "));
  CHECK(contains(catch_up.out, "west: install-round2 is yours to run: asmcli install --ca mesh_ca "
                               "--option ca-migration-meshca"));
  CHECK(rev_label(mesh.east, "shop") == "asm-meshca");
  CHECK(rev_label(mesh.west, "shop") == "asm-mcroot");

  // The cleanup backs up each cluster's secrets in its own folder: without --backup-dir the
  // step is refused before anything is deleted.
  install(mesh.west, kRound2);
  auto no_backup = mesh.migrate({"apply", "--yes"});
  INFO(no_backup.out << no_backup.err);
  CHECK(no_backup.exit_code == 2);
  CHECK(contains(no_backup.err, "--backup-dir"));
  CHECK(mesh.east.kubectl({"get", "secret", "istio-ca-secret", "-n", "istio-system"}).exit_code ==
        0);

  auto last = mesh.migrate({"apply", "--yes", "--backup-dir", backups});
  INFO(last.out << last.err);
  CHECK(last.exit_code == 0);
  CHECK(contains(last.out, "east: the migration is complete"));
  CHECK(contains(last.out, "west: the migration is complete"));
  CHECK(fs::exists(backups + "/east"));
  CHECK(fs::exists(backups + "/west"));
  for (const auto* cluster : {&mesh.east, &mesh.west}) {
    CHECK(cluster->kubectl({"get", "secret", "cacerts", "-n", "istio-system"}).exit_code != 0);
    check_finished(*cluster, bundle_url(mesh.east));
  }

  // Done: the plan has nothing left, status reads the ledgers.
  auto done = mesh.migrate({"plan"});
  CHECK(done.exit_code == 0);
  auto status = mesh.migrate({"status"});
  INFO(status.out << status.err);
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, "verify-final"));
}

TEST_CASE("a second operator is refused while the first holds the lease, and not after it "
          "expired") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto held = [&](long long expires) {
    return std::string(R"({"kind":"MigrationLedger","version":1,"to":"meshca","phase":"",)") +
           R"("revisions":{"old":[],"round1":"","round2":""},"steps":[],"notes":[],)" +
           R"("lease":{"holder":"alice@laptop pid 42","expires":)" + std::to_string(expires) + "}}";
  };
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  REQUIRE(sim.kubectl({"create", "configmap", "kubectl-meshca-migration", "-n", "istio-system",
                       "--from-literal=ledger.json=" + held(now + 3600)})
              .exit_code == 0);
  const std::size_t before = mutations(sim);
  auto refused = migrate(sim, {"apply", "--yes", "--until", "relabel-round1"});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "held by alice@laptop pid 42"));
  CHECK(mutations(sim) == before); // not a label changed
  CHECK(rev_label(sim, "shop") == "asm-1-19");

  // The holder was killed: once its lease has expired, the next run takes over.
  REQUIRE(sim.kubectl({"delete", "configmap", "kubectl-meshca-migration", "-n", "istio-system"})
              .exit_code == 0);
  REQUIRE(sim.kubectl({"create", "configmap", "kubectl-meshca-migration", "-n", "istio-system",
                       "--from-literal=ledger.json=" + held(now - 1)})
              .exit_code == 0);
  auto taken = migrate(sim, {"apply", "--yes", "--until", "relabel-round1"});
  INFO(taken.out << taken.err);
  CHECK(taken.exit_code == 0);
  CHECK(rev_label(sim, "shop") == "asm-1-19-mcroot");
  CHECK(has(ledger_steps(sim), "relabel-round1"));
}

TEST_CASE("Ctrl-C in the middle of a rollout: exit 130, the lease is released, a new run "
          "finishes the rollout") {
  SimCluster sim(e2e::scenario("migrate.json", {"--readiness-delay-ms", "1500"}));
  install(sim, kRound1);
  REQUIRE(migrate(sim, {"apply", "--yes", "--until", "relabel-round1"}).exit_code == 0);
  e2e::SpawnedPlugin plugin(sim, kMigrate,
                            {"apply", "--yes", "--until", "rollout-round1", "--kubeconfig",
                             sim.kubeconfig(), "--meshca-bundle", bundle_url(sim)});
  auto restarted = [&] {
    for (const auto& entry : sim.log())
      if (std::string(entry["verb"].GetString()) == "patch" &&
          std::string(entry["resource"].GetString()) == "deployments")
        return true;
    return false;
  };
  REQUIRE_MESSAGE(plugin.wait_until(restarted, 60s), plugin.err());
  plugin.interrupt();
  const int code = plugin.wait(30s);
  INFO(plugin.out() << plugin.err());
  CHECK(code == 130);
  CHECK(e2e::processes_mentioning("--kubeconfig " + sim.kubeconfig()).empty());
  CHECK_FALSE(ledger(sim).HasMember("lease"));
  CHECK_FALSE(has(ledger_steps(sim), "rollout-round1"));

  // The new run finishes what the rollout started (or finds it finished by the controllers, which
  // went on without it: the ledger then says the cluster showed it done).
  auto resumed = migrate(sim, {"apply", "--yes", "--until", "rollout-round1"});
  INFO(resumed.out << resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(contains(resumed.out, "stopped before gateways-round1 (--until rollout-round1)"));
  auto after = ledger(sim);
  const bool recorded = has(ledger_steps(sim), "rollout-round1");
  bool noted = false;
  for (const auto& note : after["notes"].GetArray())
    noted = noted || contains(note.GetString(), "rollout-round1 is done in the cluster");
  CHECK((recorded || noted));
  auto plan = migrate(sim, {"plan", "-o", "json"});
  rapidjson::Document doc;
  doc.Parse(plan.out.c_str());
  REQUIRE_MESSAGE(!doc.HasParseError(), plan.out);
  for (const auto& step : doc["clusters"][0]["steps"].GetArray())
    if (std::string(step["id"].GetString()) == "rollout-round1")
      CHECK(std::string(step["state"].GetString()) == "done");
  CHECK(std::string(doc["clusters"][0]["next"].GetString()) == "gateways-round1");
  for (const char* ns : {"shop", "pay", "ops"}) {
    auto revisions = sim.kubectl(
        {"get", "pods", "-n", ns, "-o", "jsonpath={.items[*].metadata.labels.istio\\.io/rev}"});
    CHECK_MESSAGE(!contains(revisions.out, "asm-old"), ns << ": " << revisions.out);
  }
}

TEST_CASE("rollback in round 1: tags and namespaces back to their recorded labels, workloads and "
          "gateway restarted, the round-1 revision pruned, Citadel trust proven") {
  SimCluster sim(e2e::scenario("migrate.json"));
  install(sim, kRound1);
  auto forward = migrate(sim, {"apply", "--yes", "--until", "tags-round1"});
  INFO(forward.out << forward.err);
  REQUIRE(forward.exit_code == 0);
  REQUIRE(rev_label(sim, "shop") == "asm-mcroot");

  const std::size_t before_dry_run = mutations(sim);
  auto dry = migrate(sim, {"rollback", "--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(contains(dry.out, "would run rollback-tags: istioctl tag set default --revision asm-old"));
  CHECK(mutations(sim) == before_dry_run); // the dry run changed nothing

  auto back = migrate(sim, {"rollback", "--yes"});
  INFO(back.out << back.err);
  CHECK(back.exit_code == 0);
  CHECK(contains(back.out, "the current context: round 1 is rolled back"));
  // The labels the namespaces had before the migration, not merely "some old revision".
  auto injection = [&](const std::string& ns) {
    return sim
        .kubectl({"get", "namespace", ns, "-o", "jsonpath={.metadata.labels.istio-injection}"})
        .out;
  };
  CHECK(injection("shop") == "enabled");
  CHECK(rev_label(sim, "shop").empty());
  CHECK(rev_label(sim, "pay") == "asm-old");
  CHECK(sim.kubectl({"get", "deployment", "istiod-asm-mcroot", "-n", "istio-system"}).exit_code !=
        0);
  auto gateway = sim.kubectl({"get", "deployment", "istio-ingressgateway", "-n", "istio-system",
                              "-o", "jsonpath={.metadata.labels.istio\\.io/rev}"});
  CHECK(gateway.out == "asm-old");
  auto check = e2e::run_plugin(
      sim, "kubectl-meshca-check_root",
      {"-A", "--require", "CITADEL", "--forbid", "MESHCA", "--meshca-bundle", bundle_url(sim)});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  for (const char* id : {"rollback-tags", "rollback-relabel", "rollback-rollout",
                         "rollback-gateways", "rollback-prune"})
    CHECK_MESSAGE(has(ledger_steps(sim), id), id);
  // Forward again from the start: the install is the operator's.
  auto plan = migrate(sim, {"plan"});
  CHECK(contains(plan.out, "next     1. install-round1"));
}

TEST_CASE("rollback in round 2: back to the round-1 revision with Citadel certificates, the Mesh "
          "CA revision pruned") {
  SimCluster sim(e2e::scenario("migrate.json"));
  install(sim, kRound1);
  install(sim, kRound2);
  auto forward = migrate(sim, {"apply", "--yes", "--until", "gateways-round2"});
  INFO(forward.out << forward.err);
  REQUIRE(forward.exit_code == 0);
  REQUIRE(rev_label(sim, "pay") == "asm-meshca");

  auto back = migrate(sim, {"rollback", "--yes"});
  INFO(back.out << back.err);
  CHECK(back.exit_code == 0);
  CHECK(contains(back.out, "the current context: round 2 is rolled back"));
  for (const char* ns : {"shop", "pay", "ops"})
    CHECK(rev_label(sim, ns) == "asm-mcroot");
  CHECK(sim.kubectl({"get", "deployment", "istiod-asm-meshca", "-n", "istio-system"}).exit_code !=
        0);
  auto check = e2e::run_plugin(
      sim, "kubectl-meshca-check_root",
      {"-A", "--workload-cert", "--require", "CITADEL,MESHCA", "--meshca-bundle", bundle_url(sim)});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK_FALSE(contains(check.out, "issued by [MESHCA]"));
  auto plan = migrate(sim, {"plan"});
  CHECK(contains(plan.out, "install-round2"));
}

TEST_CASE("apply --verify-traffic watches every restart: round 1 keeps the traffic working") {
  SimCluster sim(e2e::scenario("migrate.json"));
  install(sim, kRound1);
  auto watched = migrate(
      sim, {"apply", "--yes", "--until", "gateways-round1", "--verify-traffic", "--window", "2s"});
  INFO(watched.out << watched.err);
  CHECK(watched.exit_code == 0);
  // Once after the workloads' rollout, once after the gateway's.
  std::size_t verdicts = 0;
  for (std::size_t at = watched.out.find("Traffic: OK, no connection failure rose");
       at != std::string::npos;
       at = watched.out.find("Traffic: OK, no connection failure rose", at + 1))
    ++verdicts;
  CHECK(verdicts == 2);
  CHECK(has(ledger_steps(sim), "gateways-round1"));
  // Not with a dry run, and not for plan.
  CHECK(migrate(sim, {"apply", "--dry-run", "--verify-traffic"}).exit_code == 2);
  CHECK(migrate(sim, {"plan", "--verify-traffic"}).exit_code == 2);
}
