// The trust gate with the real kubectl on mixed meshes: relabel and rollout refuse (exit 1,
// nothing sent) a move that would leave sidecars unable to authenticate each other, in either
// direction and across contexts; allow it once the mesh is ready; --force overrides loudly.
// status's advice on the same meshes.

#include "plugin_runner.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using e2e::SimCluster;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A mesh mid-migration (the shape of the guide's example): asm-1102-3 issues Citadel
// certificates and hands out only the Citadel root; asm-1102-mcroot distributes the Mesh CA root
// (round 1); asm-1106-2 issues Mesh CA certificates (round 2). The gateway is still on asm-1102-3.
constexpr const char* kMixed = R"({
  "description": "trust gate: one namespace per round-1 revision, the Mesh CA revision unused",
  "readiness_delay_ms": 50,
  "project_id": "gate-project",
  "ca_secrets": {"cacerts": false, "istio_ca_secret": true},
  "revisions": [{"name": "asm-1102-3", "ca": "citadel"}, {"name": "asm-1102-mcroot", "ca": "citadel-meshca-root"},
                {"name": "asm-1106-2", "ca": "meshca-migration"}],
  "gateways": [{"name": "istio-ingressgateway", "revision": "asm-1102-3", "replicas": 1}],
  "namespaces": [
    {"name": "mesh-app-01", "labels": {"istio.io/rev": "asm-1102-3"}, "workloads": [{"name": "web", "replicas": 2}]},
    {"name": "mesh-app-02", "labels": {"istio.io/rev": "asm-1102-mcroot"}, "workloads": [{"name": "api", "replicas": 2}]}
  ]
})";

// Round 1 finished: every sidecar and the gateway trust both roots.
constexpr const char* kRound1Done = R"({
  "description": "trust gate: round 1 done",
  "readiness_delay_ms": 50,
  "project_id": "gate-project",
  "ca_secrets": {"cacerts": false, "istio_ca_secret": true},
  "revisions": [{"name": "asm-1102-mcroot", "ca": "citadel-meshca-root"}, {"name": "asm-1106-2", "ca": "meshca-migration"}],
  "gateways": [{"name": "istio-ingressgateway", "revision": "asm-1102-mcroot", "replicas": 1}],
  "namespaces": [
    {"name": "mesh-app-02", "labels": {"istio.io/rev": "asm-1102-mcroot"}, "workloads": [{"name": "api", "replicas": 2}]}
  ]
})";

std::string write_scenario(const std::string& name, const std::string& json) {
  std::string pattern = (fs::temp_directory_path() / "meshca-e2e-gate-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  const std::string path = pattern + "/" + name + ".json";
  std::ofstream(path) << json;
  return path;
}

struct Mesh {
  std::string scenario;
  SimCluster sim;
  explicit Mesh(const std::string& json, std::vector<std::string> extra = {})
      : scenario(write_scenario("mesh", json)), sim([&] {
          e2e::SimOptions options;
          options.standard_seed = false;
          options.args = {"--scenario", scenario, "--pki-dir",
                          fs::path(scenario).parent_path() / "pki"};
          options.args.insert(options.args.end(), extra.begin(), extra.end());
          return options;
        }()) {}
  ~Mesh() { fs::remove_all(fs::path(scenario).parent_path()); }

  std::string bundle() const {
    return "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json";
  }
  meshca::ProcessOutput plugin(const std::string& name, std::vector<std::string> args,
                               std::optional<std::string> input = {}) const {
    if (name == "relabel" || name == "rollout")
      args.insert(args.end(), {"--meshca-bundle", bundle()});
    return e2e::run_plugin(sim, "kubectl-meshca-" + name, args, std::move(input));
  }
  std::size_t mutations() const { return sim.log().size(); }
  // This simulator's Mesh CA roots (each simulator makes its own).
  std::string meshca_roots_pem() const {
    std::ifstream in(fs::path(scenario).parent_path() / "pki" / "meshca-roots.pem");
    std::stringstream text;
    text << in.rdbuf();
    REQUIRE(text.str().find("BEGIN CERTIFICATE") != std::string::npos);
    return text.str();
  }
  // Relabels and restarts with the plugins, as the guide's pipe does; REQUIREs success.
  void move(const std::string& ns, const std::string& revision) const {
    auto relabel = plugin("relabel", {"ns", ns, "--revision", revision, "-o", "name"});
    REQUIRE_MESSAGE(relabel.exit_code == 0, relabel.out << relabel.err);
    auto rollout = plugin("rollout", {"-", "--timeout", "60s"}, relabel.out);
    REQUIRE_MESSAGE(rollout.exit_code == 0, rollout.out << rollout.err);
  }
  void move_gateway(const std::string& revision) const {
    const std::string patch = R"({"metadata":{"labels":{"istio.io/rev":")" + revision +
                              R"("}},"spec":{"template":{"metadata":{"labels":{"istio.io/rev":")" +
                              revision + R"("}}}}})";
    REQUIRE(sim.kubectl({"patch", "deployment", "istio-ingressgateway", "-n", "istio-system",
                         "--type", "merge", "-p", patch})
                .exit_code == 0);
    REQUIRE(sim.kubectl({"rollout", "status", "deployment/istio-ingressgateway", "-n",
                         "istio-system", "--timeout=60s"})
                .exit_code == 0);
    wait_for_old_pods("istio-system", revision);
  }
  // Old pods terminate after a rollout reports success; wait until none is left.
  void wait_for_old_pods(const std::string& ns, const std::string& revision) const {
    for (int i = 0; i < 100; ++i) {
      auto pods = sim.kubectl({"get", "pods", "-n", ns, "-l", "istio=ingressgateway", "-o",
                               "jsonpath={.items[*].metadata.labels.istio\\.io/rev}"});
      bool stale = false;
      std::istringstream words(pods.out);
      for (std::string word; words >> word;)
        stale = stale || word != revision;
      if (!stale)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("old gateway pods did not go away");
  }
};

} // namespace

TEST_CASE(
    "round 2 too early: relabel and rollout to the Mesh CA revision are refused, nothing sent") {
  Mesh mesh(kMixed);
  for (const std::vector<std::string>& extra : {std::vector<std::string>{}, {"--dry-run"}}) {
    std::vector<std::string> args = {"ns", "mesh-app-02", "--revision", "asm-1106-2"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = mesh.plugin("relabel", args);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "kubectl meshca relabel: error: moving namespace mesh-app-02 to revision "
                          "asm-1106-2 is refused: "
                          "its sidecars would get certificates from [MESHCA]"));
    CHECK(
        contains(r.err, "namespace mesh-app-01 (revision asm-1102-3): 2 sidecars trust [CITADEL]"));
    CHECK(contains(r.err,
                   "namespace istio-system (revision asm-1102-3): 1 sidecar trusts [CITADEL]"));
    CHECK_FALSE(contains(r.err, "namespace mesh-app-02 (revision"));
    CHECK(contains(r.err, "move them to the root-distributing revision asm-1102-mcroot first:"));
    CHECK(contains(r.err, "kubectl meshca relabel ns mesh-app-01 --revision asm-1102-mcroot -o "
                          "name | kubectl meshca rollout -"));
    CHECK(
        contains(r.err, "the gateways in istio-system: upgrade them to revision asm-1102-mcroot"));
    CHECK(contains(r.err, "Nothing was changed. Use --force to move anyway."));
    CHECK(r.out.empty());
    CHECK(mesh.mutations() == 0);
  }
  // The label changed by hand: rollout refuses to move the pods.
  REQUIRE(mesh.sim.kubectl({"label", "ns", "mesh-app-02", "istio.io/rev=asm-1106-2", "--overwrite"})
              .exit_code == 0);
  const std::size_t labelled = mesh.mutations();
  auto rollout = mesh.plugin("rollout", {"mesh-app-02"});
  INFO(rollout.out << rollout.err);
  CHECK(rollout.exit_code == 1);
  CHECK(contains(rollout.err, "moving namespace mesh-app-02 to revision asm-1106-2 is refused"));
  CHECK(mesh.mutations() == labelled);
}

TEST_CASE("round 2 is allowed once every sidecar and gateway trusts both roots, and a wrong-order "
          "rollback is refused") {
  Mesh mesh(kMixed);
  mesh.move("mesh-app-01", "asm-1102-mcroot");
  // The gateway still trusts only Citadel.
  auto gateway_first = mesh.plugin("relabel", {"ns", "mesh-app-02", "--revision", "asm-1106-2"});
  CHECK(gateway_first.exit_code == 1);
  CHECK(contains(gateway_first.err,
                 "namespace istio-system (revision asm-1102-3): 1 sidecar trusts [CITADEL]"));
  CHECK_FALSE(contains(gateway_first.err, "mesh-app-01 (revision"));
  mesh.move_gateway("asm-1102-mcroot");
  const std::size_t before = mesh.mutations();
  mesh.move("mesh-app-02", "asm-1106-2");
  CHECK(mesh.mutations() > before);
  auto check = mesh.plugin("check_root",
                           {"mesh-app-02", "--workload-cert", "--meshca-bundle", mesh.bundle()});
  CHECK(contains(check.out, "is using the mTLS certificate issued by [MESHCA]"));

  // Rollback in the wrong order: the Citadel-only revision while Mesh CA certificates are in use.
  const std::size_t moved = mesh.mutations();
  auto wrong = mesh.plugin("relabel", {"ns", "mesh-app-01", "--revision", "asm-1102-3"});
  INFO(wrong.out << wrong.err);
  CHECK(wrong.exit_code == 1);
  CHECK(contains(wrong.err, "the sidecars asm-1102-3 starts would trust only [CITADEL]"));
  CHECK(contains(wrong.err, "namespace mesh-app-02 (revision asm-1106-2): 2 sidecars hold "
                            "certificates issued by [MESHCA]"));
  CHECK(contains(
      wrong.err,
      "move those namespaces back to the root-distributing revision asm-1102-mcroot first:"));
  CHECK(contains(wrong.err, "kubectl meshca relabel ns mesh-app-02 --revision asm-1102-mcroot"));
  CHECK(mesh.mutations() == moved);

  // The guide's order: the Mesh CA namespace back first, then the Citadel-only revision is safe.
  mesh.move("mesh-app-02", "asm-1102-mcroot");
  auto back = mesh.plugin("relabel", {"ns", "mesh-app-01", "--revision", "asm-1102-3"});
  INFO(back.out << back.err);
  CHECK(back.exit_code == 0);
  CHECK(contains(back.out, "namespace/mesh-app-01 relabeled"));
}

TEST_CASE("--force moves past the gate and says what it overrode") {
  Mesh mesh(kMixed);
  auto r = mesh.plugin("relabel", {"ns", "mesh-app-02", "--revision", "asm-1106-2", "--force"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.err, "kubectl meshca relabel: warning: --force: moving namespace mesh-app-02 to "
                        "asm-1106-2 although "
                        "namespace mesh-app-01 (revision asm-1102-3): 2 sidecars trust [CITADEL], "
                        "so they will reject "
                        "asm-1106-2's [MESHCA] certificates"));
  CHECK(contains(r.out, "namespace/mesh-app-02 relabeled"));
  const auto log = mesh.sim.log();
  REQUIRE(log.size() == 1);
  CHECK(std::string(log[0]["resource"].GetString()) == "namespaces");

  auto rollout = mesh.plugin("rollout", {"mesh-app-02", "--force", "--timeout", "60s"});
  INFO(rollout.out << rollout.err);
  CHECK(contains(
      rollout.err,
      "kubectl meshca rollout: warning: --force: moving namespace mesh-app-02 to asm-1106-2"));
  CHECK(rollout.exit_code == 0);
}

TEST_CASE(
    "the gate covers every --context: Citadel-only pods in a second cluster refuse the move") {
  Mesh east(kRound1Done, {"--context", "east"});
  Mesh west(kMixed, {"--context", "west"});
  // One Mesh CA bundle for both clusters, as in a real multi-cluster mesh.
  const std::string roots = fs::path(east.scenario).parent_path() / "both-meshca-roots.pem";
  std::ofstream(roots) << east.meshca_roots_pem() << west.meshca_roots_pem();
  meshca::ProcessSpec spec;
  spec.program = e2e::plugin_path("kubectl-meshca-relabel");
  spec.args = {"ns",   "mesh-app-02", "--revision", "asm-1106-2",      "--context",
               "east", "--context",   "west",       "--meshca-bundle", roots};
  spec.timeout = std::chrono::seconds(90);
  spec.extra_env = e2e::plugin_env(east.sim, e2e::plugin_dir());
  spec.extra_env.back() = {"KUBECONFIG", east.sim.kubeconfig() + ":" + west.sim.kubeconfig()};
  auto result = meshca::run_process(spec);
  REQUIRE(result.ok());
  INFO(result->out << result->err);
  CHECK(result->exit_code == 1);
  CHECK(contains(
      result->err,
      "context west: namespace mesh-app-01 (revision asm-1102-3): 2 sidecars trust [CITADEL]"));
  CHECK(contains(
      result->err,
      "context west: namespace istio-system (revision asm-1102-3): 1 sidecar trusts [CITADEL]"));
  CHECK_FALSE(contains(result->err, "mesh-app-02 (revision asm-1102-mcroot)")); // trusts both
  CHECK(contains(result->err, "--context west -o name | kubectl meshca rollout - --context west"));
  CHECK(east.mutations() == 0);
  CHECK(west.mutations() == 0);

  // East alone is ready: the same move there is allowed.
  auto alone =
      east.plugin("relabel", {"ns", "mesh-app-02", "--revision", "asm-1106-2", "--dry-run"});
  INFO(alone.out << alone.err);
  CHECK(alone.exit_code == 0);
}

TEST_CASE(
    "status: round 1 advice on a mixed mesh, round 2 on a clean one, the repair on a broken one") {
  {
    Mesh mixed(kMixed);
    // mesh-app-02 labelled for the Mesh CA revision by hand, its pods not moved yet.
    REQUIRE(
        mixed.sim.kubectl({"label", "ns", "mesh-app-02", "istio.io/rev=asm-1106-2", "--overwrite"})
            .exit_code == 0);
    auto status = mixed.plugin("status", {});
    INFO(status.out << status.err);
    CHECK(contains(
        status.out,
        "round 1 has not finished: sidecars that trust only Citadel remain in mesh-app-01, "
        "gateway istio-system/istio-ingressgateway (asm-1102-3)"));
    CHECK(contains(status.out, "kubectl meshca relabel ns mesh-app-01 --revision asm-1102-mcroot "
                               "-o name | kubectl meshca rollout -"));
    const std::string next = status.out.substr(status.out.find("Next:"));
    CHECK_FALSE(contains(next, "--revision asm-1106-2"));
  }
  {
    Mesh clean(kRound1Done);
    auto status = clean.plugin("status", {});
    INFO(status.out << status.err);
    CHECK(contains(status.out, "kubectl meshca relabel ns --all --revision asm-1106-2 -o name | "
                               "kubectl meshca rollout -"));
  }
  {
    Mesh broken(kMixed);
    auto forced = broken.plugin(
        "relabel", {"ns", "mesh-app-02", "--revision", "asm-1106-2", "--force", "-o", "name"});
    REQUIRE(forced.exit_code == 0);
    auto rolled = broken.plugin("rollout", {"-", "--force", "--timeout", "60s"}, forced.out);
    REQUIRE_MESSAGE(rolled.exit_code == 0, rolled.out << rolled.err);
    auto status = broken.plugin("status", {});
    INFO(status.out << status.err);
    CHECK(contains(status.out, "mtls-broken"));
    CHECK(contains(status.out,
                   "sidecar(s) of asm-1106-2 hold MESHCA certificates (mesh-app-02 (2))"));
    CHECK(contains(status.out, "reject: they trust only [CITADEL] (mesh-app-01 (2), gateway "
                               "istio-system/istio-ingressgateway (1))"));
    CHECK(contains(status.out, "kubectl meshca relabel ns mesh-app-01 --revision asm-1102-mcroot"));
    const std::string next = status.out.substr(status.out.find("Next:"));
    CHECK_FALSE(contains(next, "--revision asm-1106-2"));
  }
}

TEST_CASE("prune-revision refuses while a Service would lose its last endpoints, in the dry run "
          "too, unless --force") {
  Mesh mesh(kMixed);
  mesh.move("mesh-app-01", "asm-1102-mcroot");
  for (const std::vector<std::string>& extra : {std::vector<std::string>{"--dry-run"}, {"--yes"}}) {
    std::vector<std::string> args = {"asm-1102-3"};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::size_t before = mesh.mutations();
    auto r = mesh.plugin("prune_revision", args);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "Deleting its gateways would leave these Services without endpoints:"));
    CHECK(contains(
        r.err,
        "service/istio-ingressgateway -n istio-system (LoadBalancer, external address 203.0.113."));
    CHECK(contains(r.err,
                   "has 1 ready endpoint, all pods of asm-1102-3's gateway istio-ingressgateway"));
    CHECK(mesh.mutations() == before);
  }
  auto forced = mesh.plugin("prune_revision", {"asm-1102-3", "--yes", "--force"});
  INFO(forced.out << forced.err);
  CHECK(forced.exit_code == 0);
  CHECK(contains(forced.err,
                 "warning: --force: service/istio-ingressgateway -n istio-system (LoadBalancer"));
  CHECK(contains(forced.out, "deployment.apps/istio-ingressgateway -n istio-system deleted"));
}

namespace {

// The -v lines of `err` that hold `call`, counted before and after the first line holding
// `change` (the run's first write).
struct CallCount {
  int before = 0;
  int after = 0;
};
CallCount count_calls(const std::string& err, const std::string& call, const std::string& change) {
  CallCount count;
  bool changed = false;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    // Lists go through the run's kubectl proxy ("+ GET ..."), changes are kubectl calls.
    if (!line.starts_with("+ kubectl ") && !line.starts_with("+ GET "))
      continue;
    changed = changed || contains(line, change);
    if (contains(line, call))
      (changed ? count.after : count.before) += 1;
  }
  return count;
}

} // namespace

TEST_CASE("a run reads each control-plane list once before its first change, and again after it") {
  const std::string deployments = "+ GET /apis/apps/v1/deployments?labelSelector=istio.io%2Frev&";
  const std::string webhooks =
      "+ GET /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?";
  const std::string namespaces = "+ GET /api/v1/namespaces?";
  Mesh mesh(kRound1Done);
  // relabel's plan and its trust gate read the same lists: one request each, through the run's
  // one proxy.
  auto relabel = mesh.plugin("relabel", {"ns", "mesh-app-02", "--revision", "asm-1106-2", "-v"});
  INFO(relabel.out << relabel.err);
  REQUIRE(relabel.exit_code == 0);
  CHECK(contains(relabel.out, "namespace/mesh-app-02 relabeled"));
  for (const std::string& call : {deployments, webhooks, namespaces}) {
    INFO(call);
    CHECK(count_calls(relabel.err, call, " patch namespace ").before == 1);
  }
  CHECK(count_calls(relabel.err, " proxy --unix-socket=", " patch namespace ").before == 1);
  // rollout: its plan and the gate, once each before the first restart.
  auto rollout = mesh.plugin("rollout", {"mesh-app-02", "--timeout", "60s", "-v"});
  INFO(rollout.out << rollout.err);
  REQUIRE(rollout.exit_code == 0);
  for (const std::string& call : {deployments, webhooks}) {
    INFO(call);
    CHECK(count_calls(rollout.err, call, " patch deployment ").before == 1);
  }
  // prune-revision reads the control plane again after its deletes, to show what is left.
  Mesh unused(kRound1Done);
  auto prune = unused.plugin("prune_revision", {"asm-1106-2", "--yes", "-v"});
  INFO(prune.out << prune.err);
  REQUIRE(prune.exit_code == 0);
  const CallCount pruned = count_calls(prune.err, deployments, " delete ");
  CHECK(pruned.before == 1);
  CHECK(pruned.after == 1);
  CHECK(count_calls(prune.err, webhooks, " delete ").after == 1);
}
