// check-root's analysis, gates and output on real certificates made at test time.

#include "dump_builder.h"
#include "test_pki.h"

#include "meshca/ops/check_root.h"
#include "meshca/ops/check_root_output.h"
#include "meshca/ops/pod_analysis.h"

#include <doctest/doctest.h>

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
  const PodReport pod = analyze({pki().both_roots, pki().meshca_chain,
                                 {"cluster.local", "proj.svc.id.goog"}},
                                recognizer);
  REQUIRE_FALSE(pod.failed());
  CHECK(pod.trusts.label() == "[CITADEL MESHCA]");
  REQUIRE(pod.roots.size() == 2);
  CHECK(pod.roots[0].ca == CaClass::citadel);
  CHECK(pod.roots[1].ca == CaClass::meshca);
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
  CHECK(only_citadel.roots.front().sha256 == both.roots.front().sha256);
  CHECK(only_citadel.bundle != both.bundle);
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
  const PodReport by_cn = analyze({pki().both_roots, pki().meshca_chain},
                                  MeshCaRecognizer::by_subject_cn("no bundle"));
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
  result.pods.push_back(analyze({pki().both_roots, pki().citadel_chain, {"cluster.local"}},
                                recognizer, "a"));
  result.pods.push_back(analyze({pki().citadel.cert_pem(), pki().citadel_chain, {"cluster.local"}},
                                recognizer, "b"));
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
  CHECK(render_check_root(result, options) == "\nNamespace: empty\n\nNamespace: foo\n"
                                              "httpbin-66cdbdb6c5-pmzps.foo trusts [CITADEL MESHCA]\n"
                                              "sleep-1.foo ERROR: exec failed\n");
  options.workload_cert = true;
  options.trust_domain = true;
  const std::string text = render_check_root(result, options);
  CHECK(text.find("httpbin-66cdbdb6c5-pmzps.foo is using the mTLS certificate issued by [MESHCA]\n") !=
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
