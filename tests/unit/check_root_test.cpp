// check-root's analysis, gates and output on real certificates made at test time.

#include "dump_builder.h"
#include "meshca/checks/check_root.h"
#include "meshca/checks/pod_analysis.h"
#include "meshca/commands/check_root/check_root_output.h"
#include "meshca/util/json.h"
#include "meshca/util/sha256_stream.h"
#include "meshca/util/yaml_writer.h"
#include "recording_kubectl.h"
#include "test_files.h"
#include "test_pki.h"

#include <doctest/doctest.h>
#include <map>
#include <sstream>

using namespace meshca;
using meshca::testing::CertSpec;
using meshca::testing::TestCa;

namespace {

constexpr const char* kMeshCaCn =
    "C=US,ST=California,L=Mountain View,O=Google LLC,OU=Cloud,"
    "CN=istio_v1_cloud_workload_root-signer-0-2018-04-25T14:11:33-07:00 K:1, 1:H52vgwEm3tc:0:18";

// One PKI for the whole file: a Citadel root, a Mesh CA root with an intermediate.
struct Pki {
  TestCa citadel = TestCa::self_signed({"O=cluster.local"});
  TestCa meshca_root = TestCa::self_signed({kMeshCaCn});
  TestCa meshca = meshca_root.issue_ca({"O=Google LLC,CN=istio_v1_cloud_workload_signer"});
  std::string citadel_chain =
      citadel.issue_leaf({"", {"spiffe://cluster.local/ns/foo/sa/httpbin"}}).chain_pem;
  std::string meshca_chain =
      meshca.issue_leaf({"", {"spiffe://proj.svc.id.goog/ns/foo/sa/httpbin"}}).chain_pem;
  std::string both_roots = citadel.cert_pem() + meshca_root.cert_pem();
};

const Pki& pki() {
  static const Pki instance;
  return instance;
}

MeshCaRecognizer bundle_recognizer() {
  auto roots = x509::read_pem_bundle(pki().meshca_root.cert_pem(), "meshca root");
  REQUIRE(roots.ok());
  return MeshCaRecognizer::from_bundle(x509::fingerprints(*roots), "test bundle");
}

PodReport pod_named(const std::string& name, const std::string& error = "") {
  PodReport report;
  report.ns = "foo";
  report.name = name;
  report.error = error;
  return report;
}

PodReport analyze(const testing::DumpSpec& spec, const MeshCaRecognizer& recognizer,
                  const std::string& name = "httpbin-1") {
  TrustBundleCache cache(recognizer);
  PodReport report;
  report.ns = "foo";
  report.name = name;
  analyze_dump(testing::build_dump(spec), cache, {}, report);
  return report;
}

} // namespace

TEST_CASE("a pod trusting both roots, with a Mesh CA certificate") {
  const auto recognizer = bundle_recognizer();
  const PodReport pod = analyze(
      {pki().both_roots, pki().meshca_chain, {"cluster.local", "proj.svc.id.goog"}}, recognizer);
  REQUIRE_FALSE(pod.failed());
  CHECK(pod.trusts.label() == "[CITADEL MESHCA]");
  REQUIRE(pod.roots().size() == 2);
  CHECK(pod.roots()[0].ca == CaClass::citadel);
  CHECK(pod.roots()[1].ca == CaClass::meshca);
  REQUIRE(pod.workload.has_value());
  CHECK(pod.workload->issuer == CaClass::meshca);
  CHECK(pod.workload->spiffe_id == "spiffe://proj.svc.id.goog/ns/foo/sa/httpbin");
  CHECK(pod.missing_trust_domains().empty());
}

TEST_CASE("the issuer is found by chain verification, in either secret order") {
  const auto recognizer = bundle_recognizer();
  for (bool default_first : {false, true}) {
    const PodReport pod =
        analyze({pki().both_roots, pki().citadel_chain, {}, default_first}, recognizer);
    REQUIRE(pod.workload.has_value());
    CHECK(pod.workload->issuer == CaClass::citadel);
  }
}

TEST_CASE("a chain no trusted root verifies has no issuer and fails --workload-cert") {
  const auto recognizer = bundle_recognizer();
  CheckRootResult result;
  result.pods.push_back(analyze({pki().citadel.cert_pem(), pki().meshca_chain}, recognizer));
  REQUIRE(result.pods[0].workload.has_value());
  CHECK_FALSE(result.pods[0].workload->issuer.has_value());
  CHECK(result.pods[0].workload->issuer_error.find("does not verify") != std::string::npos);
  CheckRootOptions options;
  options.workload_cert = true;
  apply_gates(options, result);
  CHECK(result.status == ExitStatus::check_failed);
}

TEST_CASE("bundles are compared as fingerprint sets, not by their first certificate") {
  // Istio sorts bundles, so a Citadel-only pod and a Citadel+Mesh CA pod start with the same
  // certificate; the bash checker's first-serial cache gives both the same verdict.
  const auto recognizer = bundle_recognizer();
  TrustBundleCache cache(recognizer);
  PodReport only_citadel = pod_named("a");
  PodReport both = pod_named("b");
  analyze_dump(testing::build_dump({pki().citadel.cert_pem(), pki().citadel_chain}), cache, {},
               only_citadel);
  analyze_dump(testing::build_dump({pki().both_roots, pki().citadel_chain}), cache, {}, both);
  CHECK(only_citadel.roots().front().sha256 == both.roots().front().sha256);
  CHECK(only_citadel.bundle() != both.bundle());
  CHECK(only_citadel.trusts.label() == "[CITADEL]");
  CHECK(both.trusts.label() == "[CITADEL MESHCA]");
  CHECK(cache.distinct_bundles() == 2);
}

TEST_CASE("identical bundles are parsed once") {
  const auto recognizer = bundle_recognizer();
  TrustBundleCache cache(recognizer);
  for (int i = 0; i < 5; ++i) {
    PodReport pod = pod_named("p" + std::to_string(i));
    analyze_dump(testing::build_dump({pki().both_roots, pki().citadel_chain}), cache, {}, pod);
  }
  CHECK(cache.distinct_bundles() == 1);
}

TEST_CASE("the subject-CN rule applies only without a bundle") {
  const PodReport by_cn =
      analyze({pki().both_roots, pki().meshca_chain}, MeshCaRecognizer::by_subject_cn("no bundle"));
  CHECK(by_cn.trusts.label() == "[CITADEL MESHCA]");
  // A bundle that does not hold this Mesh-CA-named root: the fingerprint decides, not the name.
  const auto other = MeshCaRecognizer::from_bundle(x509::FingerprintSet({"00"}), "other bundle");
  CHECK(analyze({pki().both_roots, pki().meshca_chain}, other).trusts.label() == "[CITADEL]");
}

TEST_CASE("a dump without ROOTCA, or not JSON, is a per-pod error") {
  const auto recognizer = bundle_recognizer();
  TrustBundleCache cache(recognizer);
  PodReport garbage = pod_named("x");
  analyze_dump("{not json", cache, {}, garbage);
  CHECK(garbage.failed());
  PodReport empty = pod_named("y");
  analyze_dump(R"({"configs":[]})", cache, {}, empty);
  CHECK(empty.error.find("no ROOTCA") != std::string::npos);
}

TEST_CASE("gates: --require, --forbid and --trust-domain") {
  const auto recognizer = bundle_recognizer();
  CheckRootResult result;
  result.pods.push_back(
      analyze({pki().both_roots, pki().citadel_chain, {"cluster.local"}}, recognizer, "a"));
  result.pods.push_back(
      analyze({pki().citadel.cert_pem(), pki().citadel_chain, {"cluster.local"}}, recognizer, "b"));
  CheckRootOptions options;
  apply_gates(options, result);
  CHECK(result.status == ExitStatus::ok);

  options.require = {CaClass::citadel, CaClass::meshca};
  apply_gates(options, result);
  CHECK(result.status == ExitStatus::check_failed);
  CHECK(result.gate_failures.back() == "b.foo trusts [CITADEL]");

  CheckRootResult only_a;
  only_a.pods = {result.pods[0]};
  apply_gates(options, only_a);
  CHECK(only_a.status == ExitStatus::ok);
  options.require.clear();
  options.forbid = {CaClass::citadel};
  apply_gates(options, only_a);
  CHECK(only_a.status == ExitStatus::check_failed);

  options.forbid.clear();
  options.trust_domain = true;
  CheckRootResult td;
  td.pods = {result.pods[0]};
  apply_gates(options, td);
  CHECK(td.status == ExitStatus::check_failed);
  CHECK(td.gate_failures.back() == "a.foo is MISSING trust domain for [MESHCA]");
}

TEST_CASE("a pod that could not be read makes the status a cluster error, others still count") {
  CheckRootResult result;
  result.pods.push_back(pod_named("a", "exec failed"));
  result.pods.push_back(analyze({pki().both_roots, pki().citadel_chain}, bundle_recognizer(), "b"));
  CheckRootOptions options;
  options.require = {CaClass::meshca};
  apply_gates(options, result);
  CHECK(result.status == ExitStatus::cluster_error);
}

TEST_CASE("text output keeps migrate_ca's lines, namespaces and pods sorted") {
  const auto recognizer = bundle_recognizer();
  CheckRootResult result;
  result.contexts = {""};
  result.namespaces = {"empty", "foo"};
  result.pods.push_back(analyze({pki().both_roots, pki().meshca_chain, {"cluster.local"}},
                                recognizer, "httpbin-66cdbdb6c5-pmzps"));
  PodReport broken = pod_named("sleep-1", "exec failed");
  result.pods.push_back(broken);
  CheckRootOptions options;
  CHECK(render_check_root(result, options) ==
        "\nNamespace: empty\n\nNamespace: foo\n"
        "httpbin-66cdbdb6c5-pmzps.foo trusts [CITADEL MESHCA]\n"
        "sleep-1.foo ERROR: exec failed\n");
  options.workload_cert = true;
  options.trust_domain = true;
  const std::string text = render_check_root(result, options);
  CHECK(text.find(
            "httpbin-66cdbdb6c5-pmzps.foo is using the mTLS certificate issued by [MESHCA]\n") !=
        std::string::npos);
  CHECK(text.find("httpbin-66cdbdb6c5-pmzps.foo is MISSING trust domain for [MESHCA]\n") !=
        std::string::npos);
  CHECK(text.find(" trusts [CITADEL MESHCA]") == std::string::npos);
}

TEST_CASE("the mTLS matrix finds groups that cannot authenticate each other") {
  const auto recognizer = bundle_recognizer();
  std::vector<PodReport> pods;
  pods.push_back(analyze({pki().citadel.cert_pem(), pki().citadel_chain}, recognizer, "old"));
  pods.push_back(analyze({pki().both_roots, pki().meshca_chain}, recognizer, "new-1"));
  pods.push_back(analyze({pki().both_roots, pki().meshca_chain}, recognizer, "new-2"));
  const MtlsMatrix matrix = build_mtls_matrix(pods, std::chrono::system_clock::now());
  REQUIRE(matrix.groups.size() == 2);
  CHECK(matrix.groups[0].pods == 2); // largest group first
  CHECK(matrix.accepts[0][1]);       // new accepts old's Citadel certificate
  CHECK_FALSE(matrix.accepts[1][0]); // old cannot verify a Mesh CA certificate
  CHECK_FALSE(matrix.all_can_talk());

  pods.erase(pods.begin());
  CHECK(build_mtls_matrix(pods, std::chrono::system_clock::now()).all_can_talk());
}

TEST_CASE("--mtls keeps one chain per issuing chain, shared by the pods it issued, and the "
          "matrix stays the same") {
  const auto recognizer = bundle_recognizer();
  TrustBundleCache cache(recognizer);
  ChainPool chains;
  AnalysisSettings settings;
  settings.chains = &chains;
  const auto pod = [&](const std::string& roots, const std::string& chain,
                       const std::string& name) {
    PodReport report = pod_named(name);
    analyze_dump(testing::build_dump({roots, chain}), cache, settings, report);
    REQUIRE_MESSAGE(!report.failed(), report.error);
    return report;
  };
  const std::string other_meshca_leaf =
      pki().meshca.issue_leaf({"", {"spiffe://proj.svc.id.goog/ns/bar/sa/ratings"}}).chain_pem;
  std::vector<PodReport> pods;
  pods.push_back(pod(pki().citadel.cert_pem(), pki().citadel_chain, "old"));
  pods.push_back(pod(pki().both_roots, pki().meshca_chain, "new-1"));
  pods.push_back(pod(pki().both_roots, other_meshca_leaf, "new-2"));
  CHECK(chains.size() == 2);
  REQUIRE(pods[1].workload->certificates);
  CHECK(pods[1].workload->certificates == pods[2].workload->certificates); // one object
  CHECK(pods[0].workload->certificates != pods[1].workload->certificates);
  CHECK(pods[2].workload->spiffe_id == "spiffe://proj.svc.id.goog/ns/bar/sa/ratings");

  const MtlsMatrix pooled = build_mtls_matrix(pods, std::chrono::system_clock::now());
  std::vector<PodReport> own;
  own.push_back(analyze({pki().citadel.cert_pem(), pki().citadel_chain}, recognizer, "old"));
  own.push_back(analyze({pki().both_roots, pki().meshca_chain}, recognizer, "new-1"));
  own.push_back(analyze({pki().both_roots, other_meshca_leaf}, recognizer, "new-2"));
  CHECK(own[1].workload->certificates != own[2].workload->certificates); // without a pool
  const MtlsMatrix separate = build_mtls_matrix(own, std::chrono::system_clock::now());
  REQUIRE(pooled.groups.size() == 2);
  CHECK(pooled.accepts == separate.accepts);
  CHECK(pooled.groups[0].pods == 2);
}

TEST_CASE("--mtls: an expired leaf seen first does not stand for its CA once a valid one is seen") {
  const auto recognizer = bundle_recognizer();
  TrustBundleCache cache(recognizer);
  ChainPool chains;
  AnalysisSettings settings;
  settings.chains = &chains;
  const std::string expired =
      pki()
          .citadel.issue_leaf({"", {"spiffe://cluster.local/ns/foo/sa/stale"}, false, -7200, 3600})
          .chain_pem;
  const auto pod = [&](const std::string& chain, const std::string& name) {
    PodReport report = pod_named(name);
    analyze_dump(testing::build_dump({pki().citadel.cert_pem(), chain}), cache, settings, report);
    REQUIRE_MESSAGE(!report.failed(), report.error);
    return report;
  };
  std::vector<PodReport> pods;
  pods.push_back(pod(expired, "stale"));
  pods.push_back(pod(pki().citadel_chain, "fresh"));
  pods.push_back(pod(expired, "stale-2"));
  CHECK(chains.size() == 1);
  // The pool now holds the valid chain (pods after the first get it), and the group, whose first
  // member's leaf expired, is stood for by a valid one: it can talk to itself.
  CHECK(pods[2].workload->certificates == pods[1].workload->certificates);
  CHECK(pods[0].workload->certificates != pods[1].workload->certificates);
  const MtlsMatrix matrix = build_mtls_matrix(pods, std::chrono::system_clock::now());
  REQUIRE(matrix.groups.size() == 1);
  CHECK(matrix.groups[0].pods == 3);
  CHECK(matrix.all_can_talk());
  // The stale pod's own facts are still its own.
  CHECK(pods[0].workload->spiffe_id == "spiffe://cluster.local/ns/foo/sa/stale");
  CHECK(pods[0].workload->not_after < std::chrono::system_clock::now());
}

TEST_CASE("json output carries every fact in camelCase") {
  CheckRootResult result;
  result.pods.push_back(analyze({pki().both_roots, pki().meshca_chain}, bundle_recognizer()));
  CheckRootOptions options;
  options.output = OutputFormat::json;
  const std::string json = render_check_root(result, options);
  for (const char* key : {"\"trusts\"", "\"roots\"", "\"sha256\"", "\"notAfter\"", "\"class\"",
                          "\"workloadCertificate\"", "\"spiffeId\"", "\"issuer\"",
                          "\"trustDomains\"", "\"expiring\"", "\"summary\"", "\"trustSets\""})
    CHECK_MESSAGE(json.find(key) != std::string::npos, key);
  options.output = OutputFormat::yaml;
  CHECK(render_check_root(result, options).find("workloadCertificate:") != std::string::npos);
}

TEST_CASE("json and yaml, written a pod at a time, are the whole document's text") {
  // The reference is the document read back: pretty-printed whole, and as YAML whole.
  const auto recognizer = bundle_recognizer();
  std::vector<CheckRootResult> results(3);
  results[1].pods.push_back(pod_named("broken", "no ROOTCA secret in the proxy's config dump"));
  results[1].warnings.push_back("a warning");
  results[2].pods.push_back(
      analyze({pki().citadel.cert_pem(), pki().citadel_chain}, recognizer, "old"));
  results[2].pods.push_back(analyze({pki().both_roots, pki().meshca_chain}, recognizer, "new"));
  results[2].pods.push_back(pod_named("broken", "exec failed"));
  results[2].mtls = build_mtls_matrix(results[2].pods, std::chrono::system_clock::now());
  for (const CheckRootResult& result : results) {
    CAPTURE(result.pods.size());
    CheckRootOptions options;
    options.output = OutputFormat::json;
    const std::string json = render_check_root(result, options);
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    CHECK(json == json::pretty(doc));
    CHECK(doc["pods"].Size() == result.pods.size());
    CHECK(doc.HasMember("mtls") == result.mtls.has_value());
    options.output = OutputFormat::yaml;
    CHECK(render_check_root(result, options) == to_yaml(doc));
    // migrate hashes the JSON as it is written: the digest of the same text.
    options.output = OutputFormat::json;
    Sha256Stream hashed, whole;
    write_check_root(result, options, hashed);
    whole << json;
    CHECK(hashed.hex() == whole.hex());
  }
}

namespace {

// A cluster whose pods and dumps are given, and whose kubectl answers only the mesh-config read.
struct FakeCluster final : PodLister, DumpFetcher {
  std::map<std::string, std::string> dumps; // pod name -> dump
  Result<PodSelection> list(const std::vector<std::string>&, const std::string&) override {
    PodSelection selection;
    for (const auto& [name, dump] : dumps) {
      SidecarPod pod;
      pod.ns = "foo";
      pod.name = name;
      selection.sidecars.push_back(pod);
    }
    return selection;
  }
  Result<std::string> fetch(const SidecarPod& pod) override { return dumps.at(pod.name); }
};

std::string mesh_config_list(const std::vector<std::pair<std::string, std::string>>& name_and_td) {
  std::string items;
  for (const auto& [name, td] : name_and_td)
    items +=
        std::string(items.empty() ? "" : ",") + R"({"metadata":{"name":")" + name +
        R"(","namespace":"istio-system"},"data":{"mesh":"defaultConfig:\n  discoveryAddress: x\ntrustDomain: )" +
        td + R"(\n"}})";
  return R"({"kind":"ConfigMapList","items":[)" + items + "]}";
}

std::vector<std::string> trust_domain_lines(const CheckRootResult& result,
                                            CheckRootOptions options) {
  options.trust_domain = true;
  std::vector<std::string> lines;
  std::istringstream in(render_check_root(result, options));
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && !line.starts_with("Namespace: "))
      lines.push_back(line);
  return lines;
}

} // namespace

TEST_CASE(
    "--trust-domain names every CA none of whose trust domains a pod accepts, whatever it trusts") {
  const auto recognizer = bundle_recognizer();
  const std::string citadel_root = pki().citadel.cert_pem();
  const std::string meshca_root = pki().meshca_root.cert_pem();
  struct Case {
    std::string roots;
    std::vector<std::string> domains;
    const char* line;
  };
  for (const Case& c : {
           // The bug: a Citadel-only pod that accepts only cluster.local passed every grep.
           Case{citadel_root, {"cluster.local"}, "p.foo is MISSING trust domain for [MESHCA]"},
           Case{pki().both_roots, {"cluster.local"}, "p.foo is MISSING trust domain for [MESHCA]"},
           Case{citadel_root,
                {"cluster.local", "proj.svc.id.goog"},
                "p.foo trusts trust domains for [CITADEL MESHCA]"},
           Case{pki().both_roots,
                {"proj.svc.id.goog", "cluster.local"},
                "p.foo trusts trust domains for [CITADEL MESHCA]"},
           Case{meshca_root, {"proj.svc.id.goog"}, "p.foo is MISSING trust domain for [CITADEL]"},
           // Trust domains of neither CA, or none at all, accept peers of neither.
           Case{pki().both_roots,
                {"spire.example"},
                "p.foo is MISSING trust domain for [CITADEL MESHCA]"},
           Case{pki().both_roots, {}, "p.foo is MISSING trust domain for [CITADEL MESHCA]"},
       }) {
    CAPTURE(c.line);
    CheckRootResult result;
    result.pods.push_back(analyze({c.roots, pki().citadel_chain, c.domains}, recognizer, "p"));
    CHECK(trust_domain_lines(result, {}) == std::vector<std::string>{c.line});
    CheckRootOptions options;
    options.trust_domain = true;
    apply_gates(options, result);
    const bool missing = std::string(c.line).find("MISSING") != std::string::npos;
    CHECK(result.status == (missing ? ExitStatus::check_failed : ExitStatus::ok));
    if (missing)
      CHECK(result.gate_failures.back() == c.line);
    // The document says the same.
    options.output = OutputFormat::json;
    const std::string json = render_check_root(result, options);
    const std::string label = std::string(c.line).substr(std::string(c.line).find('[') + 1);
    const std::string expected =
        !missing             ? "\"missingTrustDomainsFor\": []"
        : label == "MESHCA]" ? "\"missingTrustDomainsFor\": [\n        \"MESHCA\"\n      ]"
        : label == "CITADEL]"
            ? "\"missingTrustDomainsFor\": [\n        \"CITADEL\"\n      ]"
            : "\"missingTrustDomainsFor\": [\n        \"CITADEL\",\n        \"MESHCA\"\n      ]";
    CHECK_MESSAGE(json.find(expected) != std::string::npos, json);
  }
}

TEST_CASE("--trust-domain: Citadel's trust domain is the mesh config's, not any non-Mesh-CA one") {
  const auto recognizer = bundle_recognizer();
  TrustBundleCache cache(recognizer);
  AnalysisSettings corp;
  corp.trust_domain_owners.citadel = {"corp.example"};
  PodReport old_td = pod_named("old");
  analyze_dump(testing::build_dump(
                   {pki().both_roots, pki().citadel_chain, {"cluster.local", "proj.svc.id.goog"}}),
               cache, corp, old_td);
  CHECK(old_td.missing_trust_domains().label() == "[CITADEL]");
  PodReport corp_td = pod_named("corp");
  analyze_dump(testing::build_dump(
                   {pki().both_roots, pki().citadel_chain, {"corp.example", "proj.svc.id.goog"}}),
               cache, corp, corp_td);
  CHECK(corp_td.missing_trust_domains().empty());
}

TEST_CASE("--trust-domain on a dump without clusters or listeners: unknown, not passed") {
  const auto recognizer = bundle_recognizer();
  TrustBundleCache cache(recognizer);
  CheckRootResult result;
  result.pods.push_back(pod_named("secrets-only"));
  // A `?resource=dynamic_active_secrets`-style dump: secrets, no ClustersConfigDump.
  std::string dump = testing::build_dump({pki().both_roots, pki().citadel_chain});
  dump.erase(dump.find("{\"@type\":\"type.googleapis.com/envoy.admin.v3.ClustersConfigDump\""),
             dump.find("{\"@type\":\"type.googleapis.com/envoy.admin.v3.SecretsConfigDump\"") -
                 dump.find("{\"@type\":\"type.googleapis.com/envoy.admin.v3.ClustersConfigDump\""));
  analyze_dump(dump, cache, {}, result.pods[0]);
  REQUIRE_FALSE(result.pods[0].failed());
  CHECK_FALSE(result.pods[0].trust_domains_known);
  CHECK(result.pods[0].missing_trust_domains().empty());
  CHECK(trust_domain_lines(result, {}) ==
        std::vector<std::string>{"secrets-only.foo has no trust domains in its outbound clusters"});
  CheckRootOptions options;
  apply_gates(options, result);
  CHECK(result.status == ExitStatus::ok); // without --trust-domain nothing is claimed
  options.trust_domain = true;
  apply_gates(options, result);
  CHECK(result.status == ExitStatus::check_failed);
  CHECK(result.gate_failures.back().find("trust domains it accepts are unknown") !=
        std::string::npos);
}

TEST_CASE("--trust-domain reads Citadel's trust domain from each cluster's mesh config, once") {
  const auto recognizer = bundle_recognizer();
  FakeCluster cluster;
  cluster.dumps["a"] = testing::build_dump(
      {pki().both_roots, pki().citadel_chain, {"corp.example", "proj.svc.id.goog"}});
  testing::RecordingKubectl kubectl;
  kubectl.on_success({"get", "configmaps"},
                     mesh_config_list({{"istio-rev-old", "corp.example"},
                                       {"istio-rev-meshca", "proj.svc.id.goog"},
                                       {"istio-ca-root-cert", "ignored.example"}}));
  CheckRootOptions options;
  auto plain = check_clusters({{"", &kubectl, &cluster, &cluster}}, options, recognizer);
  REQUIRE(plain.ok());
  CHECK(kubectl.calls().empty()); // only --trust-domain reads the mesh config

  options.trust_domain = true;
  auto checked = check_clusters({{"", &kubectl, &cluster, &cluster}}, options, recognizer);
  REQUIRE(checked.ok());
  REQUIRE(kubectl.calls().size() == 1);
  CHECK(kubectl.calls()[0].line() == "get configmaps -n istio-system -o json");
  CHECK(checked->status == ExitStatus::ok);
  CHECK(trust_domain_lines(*checked, options) ==
        std::vector<std::string>{"a.foo trusts trust domains for [CITADEL MESHCA]"});
  CHECK(checked->warnings.empty());
}

TEST_CASE("--trust-domain: a mesh config that cannot be read is a warning, cluster.local assumed") {
  const auto recognizer = bundle_recognizer();
  FakeCluster cluster;
  cluster.dumps["a"] = testing::build_dump(
      {pki().both_roots, pki().citadel_chain, {"cluster.local", "proj.svc.id.goog"}});
  cluster.dumps["b"] = testing::build_dump(
      {pki().both_roots, pki().citadel_chain, {"corp.example", "proj.svc.id.goog"}});
  testing::RecordingKubectl kubectl;
  kubectl.on_failure(
      {"get", "configmaps"},
      "Error from server (Forbidden): configmaps is forbidden: User \"ci\" cannot "
      "list resource \"configmaps\" in API group \"\" in the namespace \"istio-system\"\n");
  CheckRootOptions options;
  options.trust_domain = true;
  auto checked = check_clusters({{"east", &kubectl, &cluster, &cluster}}, options, recognizer);
  REQUIRE(checked.ok());
  REQUIRE(checked->warnings.size() == 1);
  CHECK(checked->warnings[0].starts_with("context \"east\": "));
  CHECK(checked->warnings[0].find("Forbidden") != std::string::npos);
  CHECK(checked->warnings[0].ends_with("taking Citadel's trust domain to be cluster.local"));
  CHECK(trust_domain_lines(*checked, options) ==
        std::vector<std::string>{"a.foo trusts trust domains for [CITADEL MESHCA]",
                                 "b.foo is MISSING trust domain for [CITADEL]"});
  CHECK(checked->status == ExitStatus::check_failed); // b, not the warning
  CHECK(render_summary(*checked, options).find("warning: context \"east\": ") != std::string::npos);
}

TEST_CASE("--trust-domain on every sample dump under tests/testdata") {
  const std::string samples = std::string(MESHCA_SAMPLES_DIR) + "/";
  const std::string dumps = std::string(MESHCA_TESTDATA_DIR) + "/config_dumps/";
  // Offline, Citadel's trust domain is cluster.local.
  const std::vector<std::pair<std::string, std::string>> expected = {
      {samples + "ossm-2.6_istio-1.20.8_sidecar_config_dump.json",
       " is MISSING trust domain for [MESHCA]"},
      // Secrets only: what it accepts is unknown, which fails the check (see the gate).
      {samples + "istio-testdata_secret_istio_config_dump.json",
       " has no trust domains in its outbound clusters"},
      // SPIRE's east.local and west.local belong to neither CA.
      {samples + "istio-testdata_secret_spire_config_dump.json",
       " is MISSING trust domain for [CITADEL MESHCA]"},
      {dumps + "san_matchers_inline_string.json", " trusts trust domains for [CITADEL MESHCA]"},
      {dumps + "legacy_v2alpha_mixed_case.json", " is MISSING trust domain for [MESHCA]"},
      {dumps + "istioctl_secret_file_based.json", " ERROR: no ROOTCA secret"},
  };
  CheckRootOptions options;
  options.trust_domain = true;
  for (const auto& [file, line] : expected)
    options.config_dumps.push_back(file);
  auto result = check_dump_files(options, MeshCaRecognizer::by_subject_cn("no bundle in tests"));
  REQUIRE(result.ok());
  const std::string text = render_check_root(*result, options);
  for (const auto& [file, line] : expected) {
    CAPTURE(file);
    CHECK_MESSAGE(text.find("\n" + file + ".file" + line) != std::string::npos, text);
  }
  CHECK(result->status == ExitStatus::cluster_error); // the unreadable ROOTCA; the CLI makes it 2
  CHECK(result->gate_failures.size() == 4);
}

TEST_CASE(
    "a ROOTCA bundle whose END line runs into the next BEGIN line: Envoy rejects it, said so") {
  std::string citadel = pki().citadel.cert_pem();
  REQUIRE(citadel.ends_with("-----END CERTIFICATE-----\n"));
  citadel.pop_back();
  const std::string glued = citadel + pki().meshca_root.cert_pem();
  REQUIRE(glued.find("-----END CERTIFICATE----------BEGIN CERTIFICATE-----") != std::string::npos);
  CheckRootResult result;
  result.pods.push_back(
      analyze({glued, pki().citadel_chain, {"cluster.local"}}, bundle_recognizer(), "p"));
  REQUIRE(result.pods[0].failed());
  CHECK(result.pods[0].error.starts_with(
      "the trusted CA bundle of secret ROOTCA has a certificate whose END line runs into the next "
      "BEGIN line (no newline between them); Envoy rejects such a bundle, so this proxy cannot "
      "have loaded it ("));
  CHECK(
      render_check_root(result, {}).find("\np.foo ERROR: the trusted CA bundle of secret ROOTCA") !=
      std::string::npos);
  // The same bundle with its newline is fine.
  CHECK_FALSE(analyze({pki().both_roots, pki().citadel_chain}, bundle_recognizer()).failed());
}
