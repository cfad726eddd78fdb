// kubectl meshca check-root against simulated meshes, driven through the real kubectl.

#include "bad_input_support.h"
#include "plugin_runner.h"
#include "spawned_plugin.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <map>
#include <rapidjson/document.h>
#include <regex>
#include <sstream>

using e2e::SimCluster;

namespace {

constexpr const char* kCheckRoot = "kubectl-meshca-check_root";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> lines_matching(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (std::regex_match(line, re))
      out.push_back(line);
  return out;
}

std::string bundle_url(const SimCluster& sim) {
  return "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json";
}

meshca::ProcessOutput check_root(const SimCluster& sim, std::vector<std::string> args) {
  args.insert(args.end(), {"--meshca-bundle", bundle_url(sim)});
  return e2e::run_plugin(sim, kCheckRoot, args);
}

// Moves a namespace to a revision the way the guide does by hand, and waits for the restart.
void move_namespace(const SimCluster& sim, const std::string& ns, const std::string& revision) {
  REQUIRE(sim.kubectl({"label", "namespace", ns, "istio.io/rev=" + revision, "istio-injection-",
                       "--overwrite"})
              .exit_code == 0);
  REQUIRE(sim.kubectl({"rollout", "restart", "deployment", "-n", ns}).exit_code == 0);
  auto deployments = sim.kubectl({"get", "deployments", "-n", ns, "-o", "name"});
  std::istringstream names(deployments.out);
  for (std::string name; std::getline(names, name);) {
    auto status = sim.kubectl({"rollout", "status", name, "-n", ns, "--timeout=60s"});
    REQUIRE_MESSAGE(status.exit_code == 0, status.err);
  }
}

} // namespace

TEST_CASE("check-root prints migrate_ca's line for every running sidecar, sorted") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto result = check_root(sim, {});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  const auto pod_lines = lines_matching(result.out, R"([a-z0-9-]+\.[a-z-]+ trusts \[CITADEL\])");
  CHECK(pod_lines.size() == 21);
  CHECK(contains(result.out, "\nNamespace: bookinfo\n"));
  CHECK(contains(result.out, "\nNamespace: istio-system\n")); // gateways are checked too
  CHECK_FALSE(contains(result.out, "kube-system"));
  CHECK_FALSE(contains(result.out, "static-site")); // no sidecar: skipped, counted
  CHECK(result.out.find("Namespace: batch") < result.out.find("Namespace: bookinfo"));
  CHECK(contains(result.err, "21 pods trust [CITADEL]"));
  CHECK(contains(result.err, "5 without a sidecar"));
  CHECK(contains(result.err, "Mesh CA roots: 2 from " + bundle_url(sim)));
  CHECK(sim.log().empty()); // a check changes nothing
}

TEST_CASE("the round-1 gate fails before the relabel and passes after it") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto before = check_root(sim, {"bookinfo", "--require", "CITADEL,MESHCA"});
  CHECK(before.exit_code == 1);
  CHECK(contains(before.err, "FAILED: "));
  move_namespace(sim, "bookinfo", "asm-1-19-mcroot");
  auto after = check_root(sim, {"bookinfo", "--require", "CITADEL,MESHCA"});
  INFO(after.out << after.err);
  CHECK(after.exit_code == 0);
  CHECK(lines_matching(after.out, R"(.*\.bookinfo trusts \[CITADEL MESHCA\])").size() == 7);
  CHECK(check_root(sim, {"shop", "--require", "CITADEL,MESHCA"}).exit_code == 1);
}

TEST_CASE("--workload-cert and --mtls tell old and new sidecars apart") {
  SimCluster sim(e2e::scenario("demo.json"));
  move_namespace(sim, "bookinfo", "asm-1-19-meshca");
  auto certs = check_root(sim, {"bookinfo", "shop", "--workload-cert"});
  INFO(certs.err);
  CHECK(certs.exit_code == 0);
  CHECK(lines_matching(certs.out,
                       R"(.*\.bookinfo is using the mTLS certificate issued by \[MESHCA\])")
            .size() == 7);
  CHECK(lines_matching(certs.out, R"(.*\.shop is using the mTLS certificate issued by \[CITADEL\])")
            .size() == 6);
  CHECK(check_root(sim, {"bookinfo", "--workload-cert", "--require", "MESHCA"}).exit_code == 0);
  CHECK(check_root(sim, {"shop", "--workload-cert", "--require", "MESHCA"}).exit_code == 1);

  // shop trusts only Citadel: it cannot verify bookinfo's Mesh CA certificates.
  auto matrix = check_root(sim, {"bookinfo", "shop", "--mtls"});
  CHECK(matrix.exit_code == 1);
  CHECK(contains(matrix.out, "Can talk"));
  CHECK(contains(matrix.out, "NO"));
}

TEST_CASE("bundles are told apart as sets: Citadel-only and Citadel+Mesh CA pods") {
  SimCluster sim(e2e::scenario("mixed-trust.json"));
  auto result = check_root(sim, {"--workload-cert", "-o", "json"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  rapidjson::Document doc;
  doc.Parse(result.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  std::map<std::string, std::string> trusts_by_ns, issuer_by_ns;
  for (const auto& pod : doc["pods"].GetArray()) {
    std::string trusts;
    for (const auto& ca : pod["trusts"].GetArray())
      trusts += std::string(trusts.empty() ? "" : " ") + ca.GetString();
    trusts_by_ns[pod["namespace"].GetString()] = trusts;
    issuer_by_ns[pod["namespace"].GetString()] = pod["workloadCertificate"]["issuer"].GetString();
    CHECK(pod["roots"][0]["sha256"].GetStringLength() == 64);
  }
  CHECK(trusts_by_ns["ns-citadel"] == "CITADEL");
  CHECK(trusts_by_ns["ns-mcroot"] == "CITADEL MESHCA");
  CHECK(trusts_by_ns["ns-migration"] == "CITADEL MESHCA");
  CHECK(trusts_by_ns["ns-meshca"] == "MESHCA");
  CHECK(issuer_by_ns["ns-mcroot"] == "CITADEL");
  CHECK(issuer_by_ns["ns-migration"] == "MESHCA");
  CHECK(doc["summary"]["checked"].GetInt() == 8);
  CHECK(std::string(doc["summary"]["meshcaRule"].GetString()) == "trustBundle");
}

TEST_CASE("native sidecars in initContainers are checked") {
  SimCluster sim(e2e::scenario("native-sidecar.json"));
  auto result = check_root(sim, {"-A"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK_FALSE(lines_matching(result.out, R"(.* trusts \[.*\])").empty());
  CHECK(contains(result.err, "0 could not be read"));
}

TEST_CASE("a pod whose exec fails is reported, the rest are still checked, exit 3") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto pods = sim.kubectl({"get", "pods", "-n", "bookinfo", "-l", "app=details", "-o",
                           "jsonpath={.items[0].metadata.name}"});
  REQUIRE(pods.exit_code == 0);
  const std::string broken = pods.out;
  sim.set_faults(R"({"exec_errors":[{"pod":"bookinfo/)" + broken +
                 R"(","exit_code":1,"stderr":"Error: failed to connect to the admin port"}]})");
  auto result = check_root(sim, {"bookinfo"});
  CHECK(result.exit_code == 3);
  CHECK(contains(result.out, broken + ".bookinfo ERROR: "));
  CHECK(lines_matching(result.out, R"(.*\.bookinfo trusts \[CITADEL\])").size() == 6);
}

TEST_CASE("a pod deleted between the list and its read counts as not running, not as an error") {
  // A rollout replaces pods while they are checked; the trust gate of relabel, rollout and
  // migrate is this check, and must not refuse a move because a pod it listed has since gone.
  for (const std::string transport : {"exec", "proxy"}) {
    CAPTURE(transport);
    SimCluster sim(e2e::scenario("demo.json"));
    auto names = sim.kubectl({"get", "pods", "-n", "bookinfo", "-o",
                              "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}"});
    REQUIRE(names.exit_code == 0);
    std::vector<std::string> pods;
    std::istringstream lines(names.out);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty())
        pods.push_back(line);
    REQUIRE(pods.size() == 7);
    std::sort(pods.begin(), pods.end());
    const std::string last = pods.back(); // read last: --parallel 1 reads in name order
    sim.set_faults(R"({"exec_latency_ms": 700})");
    e2e::SpawnedPlugin plugin(sim, kCheckRoot,
                              {"bookinfo", "--transport", transport, "--parallel", "1",
                               "--kubeconfig", sim.kubeconfig(), "--meshca-bundle",
                               bundle_url(sim)});
    REQUIRE(plugin.wait_until([&] { return sim.stat("execs.active") >= 1; }));
    REQUIRE(sim.kubectl({"delete", "pod", last, "-n", "bookinfo", "--wait=false"}).exit_code == 0);
    const int code = plugin.wait(std::chrono::seconds(60));
    INFO(plugin.out() << plugin.err());
    CHECK(code == 0);
    CHECK_FALSE(contains(plugin.out(), "ERROR"));
    CHECK_FALSE(contains(plugin.out(), last + ".bookinfo"));
    CHECK(lines_matching(plugin.out(), R"(.*\.bookinfo trusts \[CITADEL\])").size() == 6);
    CHECK(contains(plugin.err(), "6 checked, 0 could not be read, skipped 1 not running"));
  }
}

TEST_CASE("a hanging exec times out per pod") {
  SimCluster sim(e2e::scenario("demo.json"));
  sim.set_faults(R"({"exec_hang":["shop/redis-0"]})");
  // Room for the answering pods on a loaded machine; the hanging one is cut at 5 s.
  auto result = check_root(sim, {"shop", "--exec-timeout", "5s"});
  CHECK(result.exit_code == 3);
  CHECK(contains(result.out, "redis-0.shop ERROR: "));
  CHECK(lines_matching(result.out, R"(.*\.shop trusts \[CITADEL\])").size() == 5);
}

TEST_CASE("bad input is refused with exit 2") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto unknown = check_root(sim, {"no-such-namespace"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "kubectl meshca check-root: error: "));
  CHECK(contains(unknown.err, "no-such-namespace"));
  CHECK(check_root(sim, {"--require", "VAULT"}).exit_code == 2);
  CHECK(check_root(sim, {"-o", "xml"}).exit_code == 2);
  auto bad_bundle =
      e2e::run_plugin(sim, kCheckRoot, {"--meshca-bundle", "/nonexistent/bundle.json"});
  CHECK(bad_bundle.exit_code == 2);
}

TEST_CASE("an unreachable cluster or missing kubectl is exit 3") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto no_kubectl = check_root(sim, {"--kubectl", "/nonexistent/kubectl"});
  CHECK(no_kubectl.exit_code == 3);
  CHECK(contains(no_kubectl.err, "kubectl"));
  sim.set_faults(R"({"api_errors":[{"verb":"list","resource":"pods","status":500}]})");
  auto api_error = check_root(sim, {"-A"});
  CHECK(api_error.exit_code == 3);
  CHECK(contains(api_error.err, "listing pods"));
}

TEST_CASE("offline: a saved dump gives the same verdict as the live pod") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto pod = sim.kubectl({"get", "pods", "-n", "bookinfo", "-l", "app=ratings", "-o",
                          "jsonpath={.items[0].metadata.name}"});
  auto dump = sim.kubectl({"exec", "-n", "bookinfo", pod.out, "-c", "istio-proxy", "--",
                           "pilot-agent", "request", "GET", "config_dump"});
  REQUIRE(dump.exit_code == 0);
  auto offline = e2e::run_plugin(
      sim, kCheckRoot, {"--config-dump", "-", "--meshca-bundle", bundle_url(sim)}, dump.out);
  INFO(offline.err);
  CHECK(offline.exit_code == 0);
  CHECK(contains(offline.out, " trusts [CITADEL]"));
}

TEST_CASE("several contexts: each cluster is reported under its name, the verdict covers all") {
  SimCluster east(e2e::scenario("demo.json", {"--context", "east"}));
  SimCluster west(e2e::scenario("mixed-trust.json", {"--context", "west"}));
  meshca::ProcessSpec spec;
  spec.program = e2e::plugin_path(kCheckRoot);
  spec.args = {"--context",       "east",           "--context", "west",
               "--meshca-bundle", bundle_url(west), "--require", "CITADEL"};
  spec.timeout = std::chrono::seconds(90);
  spec.extra_env = e2e::plugin_env(east, e2e::plugin_dir());
  spec.extra_env.back() = {"KUBECONFIG", east.kubeconfig() + ":" + west.kubeconfig()};
  auto result = meshca::run_process(spec);
  REQUIRE(result.ok());
  INFO(result->out << result->err);
  CHECK(contains(result->out, "\nContext: east\n\nNamespace: batch\n"));
  CHECK(contains(result->out, "\nContext: west\n\nNamespace: ns-citadel\n"));
  CHECK(result->out.find("Context: east") < result->out.find("Context: west"));
  // 21 Citadel-only sidecars in east; in west 6 trust Citadel and 2 only Mesh CA.
  CHECK(contains(result->err, "2 pods trust [MESHCA]"));
  CHECK(result->exit_code == 1); // --require CITADEL fails on west's Mesh-CA-only pods
  CHECK(contains(result->err, "app-d"));
}

TEST_CASE("offline: every sample dump is read, none crashes the run") {
  SimCluster sim(e2e::scenario("demo.json"));
  const std::string samples = MESHCA_SAMPLES_DIR;
  auto result = e2e::run_plugin(
      sim, kCheckRoot,
      {"--config-dump", samples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json",
       "--config-dump", samples + "/istio-testdata_secret_istio_config_dump.json", "--config-dump",
       samples + "/istio-testdata_secret_spire_config_dump.json", "--workload-cert",
       "--meshca-bundle", samples + "/meshca_spiffe_bundle_jwks.json"});
  INFO(result.out << result.err);
  // The sample certificates have expired: each issuer is still attributed by chain verification,
  // and the expiry fails the check.
  CHECK(result.exit_code == 1);
  CHECK(lines_matching(result.out,
                       R"(.* is using the mTLS certificate issued by \[CITADEL\] \(.*expired.*\))")
            .size() == 3);
  CHECK(contains(result.err, "3 pods trust [CITADEL]"));
}

TEST_CASE("--trust-domain on a mixed-stage mesh: Citadel-only pods are MISSING MESHCA, exit 1") {
  SimCluster sim(e2e::scenario("mixed-trust.json"));
  auto result = check_root(sim, {"--trust-domain"});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  // The old revision's pods trust only the Citadel root and accept only cluster.local: before
  // the CA switch a runbook's `grep MISSING` must find them.
  CHECK(lines_matching(result.out, R"(app-a-.*\.ns-citadel is MISSING trust domain for \[MESHCA\])")
            .size() == 2);
  CHECK(lines_matching(result.out,
                       R"(app-b-.*\.ns-mcroot trusts trust domains for \[CITADEL MESHCA\])")
            .size() == 2);
  CHECK(lines_matching(result.out,
                       R"(app-c-.*\.ns-migration trusts trust domains for \[CITADEL MESHCA\])")
            .size() == 2);
  CHECK(lines_matching(result.out, R"(app-d-.*\.ns-meshca is MISSING trust domain for \[CITADEL\])")
            .size() == 2);
  CHECK(lines_matching(result.out, R"(.* trusts trust domains for \[CITADEL\])").empty());
  CHECK(contains(result.err, "FAILED: "));
  CHECK_FALSE(contains(result.err, "warning: "));
  // One read of the mesh config per context, and nothing changed.
  CHECK(sim.log().empty());

  auto json = check_root(sim, {"--trust-domain", "ns-citadel", "-o", "json"});
  CHECK(json.exit_code == 1);
  rapidjson::Document doc;
  doc.Parse(json.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc["pods"].Size() == 2);
  for (const auto& pod : doc["pods"].GetArray()) {
    REQUIRE(pod["missingTrustDomainsFor"].Size() == 1);
    CHECK(std::string(pod["missingTrustDomainsFor"][0].GetString()) == "MESHCA");
    CHECK(std::string(pod["trustDomains"][0].GetString()) == "cluster.local");
  }
  auto wide = check_root(sim, {"--trust-domain", "ns-meshca", "-o", "wide"});
  CHECK(contains(wide.out, "MISSING TRUST DOMAIN FOR"));
  CHECK(lines_matching(wide.out, R"(ns-meshca .* mixed-project\.svc\.id\.goog +\[CITADEL\] .*)")
            .size() == 2);
}

TEST_CASE("--trust-domain: Citadel's trust domain is read from the revisions' mesh config") {
  SimCluster sim(e2e::scenario("mixed-trust.json"));
  // An install whose mesh config names another trust domain than the one its sidecars accept.
  for (const char* config_map : {"istio-rev-citadel", "istio-rev-mcroot"})
    REQUIRE(sim.kubectl({"patch", "configmap", config_map, "-n", "istio-system", "--type", "merge",
                         "-p", R"({"data":{"mesh":"trustDomain: corp.example\n"}})"})
                .exit_code == 0);
  auto result = check_root(sim, {"--trust-domain", "ns-citadel", "ns-mcroot"});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(
      lines_matching(result.out, R"(.*\.ns-citadel is MISSING trust domain for \[CITADEL MESHCA\])")
          .size() == 2);
  CHECK(lines_matching(result.out, R"(.*\.ns-mcroot is MISSING trust domain for \[CITADEL\])")
            .size() == 2);
}

TEST_CASE("--trust-domain: a mesh config that cannot be read is a warning, cluster.local assumed") {
  SimCluster sim(e2e::scenario("mixed-trust.json"));
  sim.set_faults(R"({"api_errors":[{"verb":"list","resource":"configmaps","status":403}]})");
  auto result = check_root(sim, {"--trust-domain", "ns-mcroot"});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.err, "warning: "));
  CHECK(contains(result.err, "taking Citadel's trust domain to be cluster.local"));
  CHECK(lines_matching(result.out, R"(.*\.ns-mcroot trusts trust domains for \[CITADEL MESHCA\])")
            .size() == 2);
}

namespace {

// check-root on saved dumps only: no cluster (KUBECONFIG names nothing), the sample Mesh CA bundle.
meshca::ProcessOutput check_dumps_offline(const std::string& cache_dir,
                                          std::vector<std::string> args) {
  meshca::ProcessSpec spec;
  e2e::set_plugin_program(spec, kCheckRoot, args);
  spec.args.insert(spec.args.end(), {"--meshca-bundle", std::string(MESHCA_SAMPLES_DIR) +
                                                            "/meshca_spiffe_bundle_jwks.json"});
  spec.timeout = std::chrono::seconds(60);
  spec.extra_env = {{"XDG_CACHE_HOME", cache_dir}, {"KUBECONFIG", "/nonexistent"}};
  auto output = meshca::run_process(spec);
  REQUIRE_MESSAGE(output.ok(), output.error().message);
  return *output;
}

} // namespace

TEST_CASE("offline: --config-dump takes every positional as another dump (dumps/*.json)") {
  e2e::bad::TempDir temp;
  const std::string samples = std::string(MESHCA_SAMPLES_DIR) + "/";
  const std::string dumps = std::string(MESHCA_SAMPLES_DIR) + "/../config_dumps/";
  const std::string ossm = samples + "ossm-2.6_istio-1.20.8_sidecar_config_dump.json";
  const std::string spire = samples + "istio-testdata_secret_spire_config_dump.json";
  const std::string matchers = dumps + "san_matchers_inline_string.json";
  // What the shell makes of `--config-dump dumps/*.json`: one flag, three files.
  auto result =
      check_dumps_offline(temp.path, {"--config-dump", ossm, spire, matchers, "--trust-domain"});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1); // two of them are MISSING a trust domain
  CHECK(contains(result.out, "\n" + ossm + ".file is MISSING trust domain for [MESHCA]\n"));
  CHECK(
      contains(result.out, "\n" + spire + ".file is MISSING trust domain for [CITADEL MESHCA]\n"));
  CHECK(
      contains(result.out, "\n" + matchers + ".file trusts trust domains for [CITADEL MESHCA]\n"));
  CHECK(contains(result.err, "3 checked, 0 could not be read"));

  // Namespaces make no sense with dumps; the files are still dumps, -n is what conflicts.
  auto with_namespace = check_dumps_offline(temp.path, {"--config-dump", ossm, spire, "-n", "foo"});
  CHECK(with_namespace.exit_code == 2);
  CHECK(contains(with_namespace.err, "kubectl meshca check-root: error: --config-dump checks saved "
                                     "files; it cannot be combined with -n/--namespace"));
}

TEST_CASE("offline: a ROOTCA bundle whose END line runs into the next BEGIN line is named, the "
          "rest checked") {
  e2e::bad::TempDir temp;
  std::ifstream in(std::string(MESHCA_SAMPLES_DIR) +
                   "/../config_dumps/san_matchers_inline_string.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string separated = "-----END CERTIFICATE-----\\n-----BEGIN";
  const std::string glued = "-----END CERTIFICATE----------BEGIN";
  REQUIRE(text.find(separated) != std::string::npos);
  for (auto at = text.find(separated); at != std::string::npos; at = text.find(separated, at))
    text.replace(at, separated.size(), glued);
  const std::string bad = temp.file("glued.json", text);
  const std::string good =
      std::string(MESHCA_SAMPLES_DIR) + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json";
  auto result = check_dumps_offline(temp.path, {"--config-dump", bad, good});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 2); // offline, a dump that cannot be used is bad input
  CHECK(contains(result.out,
                 "\n" + bad +
                     ".file ERROR: the trusted CA bundle of secret ROOTCA has a "
                     "certificate whose END line runs into the next BEGIN line (no newline "
                     "between them); Envoy rejects such a bundle, so this proxy cannot have "
                     "loaded it"));
  CHECK_FALSE(contains(result.out, "bad end line"));
  CHECK(contains(result.out, "\n" + good + ".file trusts [CITADEL]\n"));
}

TEST_CASE("--trust-domain through the run's proxy: an answer cut mid-stream is that pod's ERROR, "
          "read once, and the rest are checked, exit 3") {
  // The clusters' answer is parsed as it arrives: once part of it was read, a lost connection
  // cannot be read again from the start, so it is the pod's error, not a second exec.
  SimCluster sim(e2e::scenario("mixed-trust.json"));
  auto pods = sim.kubectl(
      {"get", "pods", "-n", "ns-migration", "-o", "jsonpath={.items[0].metadata.name}"});
  REQUIRE(pods.exit_code == 0);
  const std::string cut = pods.out;
  // The secrets' answer (a few KB) goes out whole; the clusters' answer is cut after 16 KB.
  sim.set_faults(R"({"exec_cut":[{"pod":"ns-migration/)" + cut + R"(","after_bytes":16384}]})");
  const long long execs_before = sim.stat("execs");
  auto result = check_root(sim, {"--trust-domain", "--transport", "proxy", "-A"});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 3);
  const auto errors = lines_matching(result.out, R"(.* ERROR: .*)");
  REQUIRE(errors.size() == 1);
  CHECK(contains(errors.front(), cut + ".ns-migration ERROR: pod \"ns-migration/" + cut + "\""));
  CHECK(lines_matching(result.out, R"(.* trusts trust domains for \[CITADEL MESHCA\])").size() ==
        3);
  CHECK(lines_matching(result.out, R"(.* is MISSING trust domain for .*)").size() == 4);
  // Two execs per sidecar (its secrets, its clusters): the cut one was not tried again.
  CHECK(sim.stat("execs") - execs_before == 2 * 8);
  CHECK(sim.log().empty());
}
