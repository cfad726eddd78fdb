// preflight against meshca-sim with the real kubectl: every check passing and failing, read-only
// throughout, and the effects it predicts (a revision installed without a setting, a namespace
// without istio-ca-root-cert) made real by a rollout and found by check-root and kubectl.

#include "plugin_runner.h"

#include <doctest/doctest.h>
#include <regex>
#include <sstream>

namespace {

using e2e::SimCluster;

meshca::ProcessOutput plugin(const SimCluster& sim, const std::string& name,
                             const std::vector<std::string>& args) {
  return e2e::run_plugin(sim, "kubectl-meshca-" + name, args);
}

std::string bundle_url(const SimCluster& sim) {
  return "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json";
}

meshca::ProcessOutput preflight(const SimCluster& sim, std::vector<std::string> args = {}) {
  args.insert(args.end(), {"--meshca-bundle", bundle_url(sim)});
  return plugin(sim, "preflight", args);
}

meshca::ProcessOutput check_root(const SimCluster& sim, std::vector<std::string> args) {
  args.insert(args.end(), {"--meshca-bundle", bundle_url(sim)});
  return plugin(sim, "check_root", args);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t count_lines(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  std::istringstream lines(text);
  std::size_t n = 0;
  for (std::string line; std::getline(lines, line);)
    n += std::regex_match(line, re) ? 1 : 0;
  return n;
}

rapidjson::Document json_of(const meshca::ProcessOutput& r) {
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  REQUIRE_MESSAGE(!doc.HasParseError(), r.out << r.err);
  return doc;
}

// The failures of a PreflightReport as "object: message" lines.
std::vector<std::string> failures(const rapidjson::Document& report) {
  std::vector<std::string> out;
  for (const auto& group : report["groups"].GetArray())
    for (const auto& check : group["checks"].GetArray())
      if (std::string(check["result"].GetString()) == "failure")
        out.push_back(std::string(check["object"].GetString()) + ": " +
                      check["message"].GetString());
  return out;
}

bool any_failure(const rapidjson::Document& report, const std::string& part) {
  for (const std::string& line : failures(report))
    if (contains(line, part))
      return true;
  return false;
}

void restart_and_wait(const SimCluster& sim, const std::string& ns, const std::string& timeout) {
  REQUIRE(sim.kubectl({"rollout", "restart", "deployment", "-n", ns}).exit_code == 0);
  auto deployments = sim.kubectl({"get", "deployments", "-n", ns, "-o", "name"});
  std::istringstream names(deployments.out);
  for (std::string name; std::getline(names, name);) {
    auto status = sim.kubectl({"rollout", "status", name, "-n", ns, "--timeout=" + timeout});
    REQUIRE_MESSAGE(status.exit_code == 0, status.err);
  }
}

void label(const SimCluster& sim, const std::string& ns, const std::string& revision) {
  REQUIRE(sim.kubectl({"label", "namespace", ns, "istio.io/rev=" + revision, "istio-injection-",
                       "--overwrite"})
              .exit_code == 0);
}

} // namespace

TEST_CASE("preflight passes on the demo mesh before round 1, reads only, exit 0") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto r = preflight(sim);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "Preflight for round1 to asm-1-19-mcroot (the next step: phase "
                        "ready-to-relabel)\n"));
  CHECK(contains(r.out, "\n[ok]   asm-1-19-mcroot: istiod env ISTIO_MULTIROOT_MESH=true "
                        "(Deployment istio-system/istiod-asm-1-19-mcroot)\n"));
  CHECK(
      contains(r.out, "[ok]   asm-1-19-mcroot: meshConfig.caCertificates holds [MESHCA]: 2 roots"));
  CHECK(contains(r.out, "[ok]   bookinfo (istio-injection=enabled) → asm-1-19: istio-ca-root-cert "
                        "holds [CITADEL]: 1 root\n"));
  CHECK(contains(r.out, "[ok]   istio-revision-tag-default (tag default → asm-1-19): service "
                        "istio-system/istiod-asm-1-19, 1 ready endpoint\n"));
  CHECK(contains(r.out, "[warn] istio-system/istio-ingressgateway on asm-1-19 (2/2 ready): "
                        "relabelling namespaces does not move it to asm-1-19-mcroot\n"));
  CHECK(contains(r.out, "the root istiod signs with, the Citadel root sidecars trust"));
  CHECK(contains(r.out, "\nStatus: round1 to asm-1-19-mcroot: ready, 1 warning\n"));
  CHECK(count_lines(r.out, R"(\[FAIL\] .*)") == 0);
  CHECK(contains(r.err, "Mesh CA roots: 2 from " + bundle_url(sim)));

  // The round-2 revision as asmcli's ca-migration-meshca option installs it: its settings pass
  // (the gateway that still trusts only Citadel blocks round 2 itself).
  auto round2 = preflight(sim, {"--for", "round2", "-o", "json"});
  CHECK(round2.exit_code == 1);
  const auto report = json_of(round2);
  CHECK(std::string(report["kind"].GetString()) == "PreflightReport");
  CHECK(std::string(report["revision"].GetString()) == "asm-1-19-meshca");
  CHECK(std::string(report["stepSource"].GetString()) == "--for");
  CHECK_FALSE(any_failure(report, "revision asm-1-19-meshca"));
  CHECK(failures(report) ==
        std::vector<std::string>{"deployment istio-system/istio-ingressgateway: "
                                 "istio-system/istio-ingressgateway on asm-1-19 (2/2 ready): its "
                                 "sidecar trusts only Citadel, so it will reject workloads with "
                                 "Mesh CA certificates"});
  CHECK(preflight(sim, {"-o", "yaml"}).out.find("kind: PreflightReport\n") != std::string::npos);
  CHECK(sim.log().empty()); // preflight never writes
}

TEST_CASE("preflight finds the misinstalled revisions and the namespace without its ConfigMap") {
  SimCluster sim(e2e::scenario("preflight.json"));
  auto r = preflight(sim);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "Preflight for round1 to asm-mcroot"));
  CHECK(contains(r.out, "[FAIL] asm-mcroot: istiod env ISTIO_MULTIROOT_MESH is not true "
                        "(Deployment istio-system/istiod-asm-mcroot): istiod hands its sidecars "
                        "its own root only, so they will reject Mesh CA-issued peers in round 2\n"
                        "       fix: reinstall the revision with asmcli install --ca citadel "
                        "--option ca-migration-citadel --revision_name REV (the option sets "
                        "values.pilot.env.ISTIO_MULTIROOT_MESH=true)\n"));
  CHECK(contains(r.out, "[FAIL] app-nocm (istio.io/rev=asm-old) → asm-old: no ConfigMap "
                        "istio-ca-root-cert, so new sidecar pods never start (Init:0/1"));
  CHECK(contains(r.out, "[ok]   app-a (istio-injection=enabled) → asm-old: istio-ca-root-cert"));
  CHECK(contains(r.out, "\nStatus: round1 to asm-mcroot: 2 failures block it, 1 warning\n"));

  auto round2 =
      json_of(preflight(sim, {"--for", "round2", "--revision", "asm-meshca", "-o", "json"}));
  CHECK(any_failure(round2, "revision asm-meshca: asm-meshca: meshConfig.trustDomainAliases does "
                            "not hold cluster.local (ConfigMap istio-system/istio-asm-meshca)"));
  CHECK_FALSE(any_failure(round2, "ENABLE_CA_SERVER"));
  CHECK(round2["blocked"].GetBool());
  CHECK(sim.log().empty());
}

TEST_CASE("a revision without ISTIO_MULTIROOT_MESH: preflight predicts the pods check-root finds") {
  SimCluster sim(e2e::scenario("preflight.json"));
  // relabel runs the preflight of the round the move starts and refuses; nothing is sent.
  auto refused =
      plugin(sim, "relabel",
             {"ns", "app-b", "--revision", "asm-mcroot", "--meshca-bundle", bundle_url(sim)});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "revision asm-mcroot fails the preflight for round1, the round this "
                              "move starts:\n  - asm-mcroot: istiod env ISTIO_MULTIROOT_MESH is "
                              "not true"));
  CHECK_FALSE(contains(refused.err, "app-nocm")); // not moved: not its problem
  CHECK(sim.log().empty());

  // --force moves it anyway; after the restart every pod of app-b trusts the Citadel root only,
  // exactly what preflight said.
  auto forced = plugin(
      sim, "relabel",
      {"ns", "app-b", "--revision", "asm-mcroot", "--force", "--meshca-bundle", bundle_url(sim)});
  CHECK_MESSAGE(forced.exit_code == 0, forced.err);
  CHECK(contains(forced.err, "warning: --force: revision asm-mcroot fails the preflight"));
  restart_and_wait(sim, "app-b", "60s");
  auto gate = check_root(sim, {"app-b", "--require", "CITADEL,MESHCA"});
  CHECK(gate.exit_code == 1);
  CHECK(count_lines(gate.out, R"(httpbin-.*\.app-b trusts \[CITADEL\])") == 1);
}

TEST_CASE("a Mesh CA revision without the alias: its sidecars miss the Citadel trust domain") {
  SimCluster sim(e2e::scenario("preflight.json"));
  auto report =
      json_of(preflight(sim, {"--for", "round2", "--revision", "asm-meshca", "-o", "json"}));
  REQUIRE(any_failure(report, "trustDomainAliases does not hold cluster.local"));
  label(sim, "app-b", "asm-meshca"); // with kubectl: past every gate, as a hand-run guide would
  restart_and_wait(sim, "app-b", "60s");
  auto domains = check_root(sim, {"app-b", "--trust-domain"});
  INFO(domains.out << domains.err);
  CHECK(domains.exit_code == 1);
  CHECK(count_lines(domains.out,
                    R"(httpbin-.*\.app-b is MISSING trust domain for \[CITADEL\].*)") == 1);
}

TEST_CASE("a namespace without istio-ca-root-cert: new pods never start until it is back") {
  SimCluster sim(e2e::scenario("demo.json"));
  REQUIRE(sim.kubectl({"delete", "configmap", "istio-ca-root-cert", "-n", "bookinfo"}).exit_code ==
          0);
  auto missing = preflight(sim, {"-o", "json"});
  CHECK(missing.exit_code == 1);
  CHECK(failures(json_of(missing)) ==
        std::vector<std::string>{"namespace bookinfo: bookinfo (istio-injection=enabled) → "
                                 "asm-1-19: no ConfigMap istio-ca-root-cert, so new sidecar pods "
                                 "never start (Init:0/1 or ContainerCreating: their volume "
                                 "istiod-ca-cert cannot mount)"});
  // The cleanup does not restart workloads: there the same finding only warns.
  CHECK(preflight(sim, {"--for", "cleanup"}).out.find("[warn] bookinfo") != std::string::npos);

  // What it predicts: a restarted Deployment's new pod never becomes Ready.
  REQUIRE(
      sim.kubectl({"rollout", "restart", "deployment/productpage", "-n", "bookinfo"}).exit_code ==
      0);
  auto stuck = sim.kubectl(
      {"rollout", "status", "deployment/productpage", "-n", "bookinfo", "--timeout=3s"});
  CHECK(stuck.exit_code != 0);
  auto pending = sim.kubectl(
      {"get", "pods", "-n", "bookinfo", "--field-selector", "status.phase=Pending", "-o", "name"});
  CHECK(contains(pending.out, "pod/productpage-"));

  // Put back (as istiod would write it): the check passes and the rollout finishes.
  auto root = sim.kubectl({"get", "configmap", "istio-ca-root-cert", "-n", "shop", "-o",
                           "jsonpath={.data.root-cert\\.pem}"});
  REQUIRE(root.exit_code == 0);
  REQUIRE(sim.kubectl({"create", "configmap", "istio-ca-root-cert", "-n", "bookinfo",
                       "--from-literal=root-cert.pem=" + root.out})
              .exit_code == 0);
  CHECK(preflight(sim).exit_code == 0);
  auto done = sim.kubectl(
      {"rollout", "status", "deployment/productpage", "-n", "bookinfo", "--timeout=60s"});
  CHECK_MESSAGE(done.exit_code == 0, done.err);
}

TEST_CASE("a webhook whose istiod is gone or never Ready fails preflight, as it fails pods") {
  SimCluster sim(e2e::scenario("broken-webhook.json"));
  auto r = preflight(sim, {"--for", "round1"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(
      count_lines(
          r.out,
          R"(\[FAIL\] .*asm-gone.*: service istio-system/istiod-asm-gone not found, so pod creation fails in every namespace it selects \(failurePolicy Fail\))") >=
      1);
  CHECK(
      count_lines(
          r.out,
          R"(\[FAIL\] .*asm-sick.*: service istio-system/istiod-asm-sick has no ready endpoint, so pod creation fails.*)") >=
      1);
  CHECK(sim.log().empty());
}

TEST_CASE("the CA secrets: gone while Citadel issues, or holding another root, block a round") {
  SimCluster sim(e2e::scenario("preflight.json"));
  CHECK(contains(preflight(sim).out, "[ok]   secret istio-system/istio-ca-secret (root "
                                     "O=cluster.local, SHA-256 "));
  // Another root in the secret (a restore from the wrong backup): not what the sidecars trust.
  auto other = sim.kubectl({"create", "secret", "generic", "other-root", "-n", "istio-system",
                            "--from-file=ca-cert.pem=" + std::string(MESHCA_SAMPLES_DIR) +
                                "/istio-samples-certs_root-cert.pem",
                            "--dry-run=client", "-o", "json"});
  REQUIRE(other.exit_code == 0);
  REQUIRE(sim.kubectl({"delete", "secret", "istio-ca-secret", "-n", "istio-system"}).exit_code ==
          0);
  auto gone = json_of(preflight(sim, {"--for", "prune", "-o", "json"}));
  CHECK(any_failure(gone,
                    "neither cacerts nor istio-ca-secret is in istio-system while asm-mcroot, "
                    "asm-old run Istio's own CA"));
  std::string replaced = other.out;
  replaced.replace(replaced.find("\"other-root\""), 12, "\"istio-ca-secret\"");
  REQUIRE(sim.kubectl({"create", "-f", "-"}, replaced).exit_code == 0);
  auto wrong = json_of(preflight(sim, {"-o", "json"}));
  CHECK(any_failure(wrong,
                    "secret istio-system/istio-ca-secret: secret istio-system/istio-ca-secret "
                    "(root "));
  CHECK(any_failure(wrong, "not the Citadel root the sidecars trust"));
}

TEST_CASE("preflight for a prune: the tag and the gateway that still use the revision") {
  SimCluster sim(e2e::scenario("preflight.json"));
  auto r = preflight(sim, {"--for", "prune", "--revision", "asm-old"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "Preflight for prune of asm-old (--for)\n"));
  CHECK(contains(r.out, "[FAIL] istio-revision-tag-default (tag default → asm-old): the tag points "
                        "at asm-old, which the prune removes\n       fix: istioctl tag set default "
                        "--revision asm-meshca --overwrite\n"));
  CHECK(contains(r.out, "[FAIL] istio-system/istio-ingressgateway on asm-old (1/1 ready): "
                        "prune-revision deletes it with asm-old"));
  // A tag names its revision.
  CHECK(contains(preflight(sim, {"--for", "prune", "--revision", "default"}).out,
                 "Preflight for prune of asm-old"));
}

TEST_CASE("status shows the preflight verdict in one line") {
  SimCluster sim(e2e::scenario("preflight.json"));
  auto text = plugin(sim, "status", {});
  INFO(text.out << text.err);
  CHECK(contains(text.out, "\nPreflight: round1 to asm-mcroot: 2 failures block it, 1 warning "
                           "(kubectl meshca preflight shows them)\n"));
  auto json = plugin(sim, "status", {"-o", "json"});
  rapidjson::Document doc;
  doc.Parse(json.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(doc["preflight"]["blocked"].GetBool());
  CHECK(doc["preflight"]["failures"].GetInt() == 2);
  CHECK(std::string(doc["preflight"]["revision"].GetString()) == "asm-mcroot");
}

TEST_CASE("preflight: bad input is exit 2, an unreadable cluster exit 3, nothing changed") {
  SimCluster sim(e2e::scenario("preflight.json"));
  auto unknown = preflight(sim, {"--for", "round1", "--revision", "asm-nope"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "--revision \"asm-nope\" is not an installed revision or tag "
                              "(installed: asm-old, asm-mcroot, asm-meshca)"));
  auto step = preflight(sim, {"--for", "round3"});
  CHECK(step.exit_code == 2);
  CHECK(contains(step.err, "--for \"round3\" is not a step"));
  CHECK(preflight(sim, {"-o", "name"}).exit_code == 2);
  sim.set_faults(R"({"api_errors":[{"verb":"list","resource":"configmaps","status":500}]})");
  auto broken = preflight(sim);
  CHECK(broken.exit_code == 3);
  CHECK(contains(broken.err, "ConfigMaps"));
  sim.clear_faults();
  CHECK(sim.log().empty());
}

TEST_CASE("kubectl meshca preflight through kubectl's plugin lookup") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto r = e2e::run_kubectl_with_plugins(
      sim, e2e::plugin_dir(), {"meshca", "preflight", "--meshca-bundle", bundle_url(sim)});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "Status: round1 to asm-1-19-mcroot: ready"));
}

TEST_CASE("without an IstioOperator (Istio 1.21+) the injector's values say the revision's CA") {
  SimCluster sim(e2e::scenario("demo.json"));
  REQUIRE(sim.kubectl({"delete", "istiooperators", "--all", "-n", "istio-system"}).exit_code == 0);
  auto r = preflight(sim, {"--for", "round2"});
  INFO(r.out << r.err);
  CHECK(contains(r.out, "[ok]   asm-1-19-meshca: issues Mesh CA certificates (ConfigMap "
                        "istio-system/istio-sidecar-injector-asm-1-19-meshca "
                        "values.global.caAddress, CA_ADDR meshca.googleapis.com:443)\n"));
  CHECK(contains(r.out, "[ok]   asm-1-19-mcroot: Citadel CA, distributing the Mesh CA root"));
}

TEST_CASE("status still reports when only preflight's own reads fail, and says so") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"api_errors":[{"verb":"list","resource":"services","status":403}]})");
  auto status = plugin(sim, "status", {});
  INFO(status.out << status.err);
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, "\nPhase: ready-to-relabel (round 1)"));
  CHECK(contains(status.out, "\nPreflight: not evaluated: "));
  CHECK(contains(status.out, "Services in istio-system"));
  auto report = preflight(sim);
  CHECK(report.exit_code == 3); // preflight itself needs them
  CHECK(contains(report.err, "listing Services in istio-system"));
  CHECK(sim.log().empty());
}
