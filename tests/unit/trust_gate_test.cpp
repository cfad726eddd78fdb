// The trust gate's rule, pure: what a revision's sidecars will hold (from its running sidecars,
// else its configuration), which sidecars are on the wrong side in either direction, and the
// refusal's wording and fix.

#include "meshca/checks/trust_gate.h"
#include "meshca/checks/trust_gate_check.h"
#include "test_files.h"

#include <doctest/doctest.h>

namespace {

using meshca::CaClass;
using meshca::CaSet;

meshca::PodReport sidecar(const std::string& ns, const std::string& name,
                          const std::string& revision, CaSet trusts, std::optional<CaClass> issuer,
                          const std::string& context = "") {
  meshca::PodReport pod;
  pod.context = context;
  pod.ns = ns;
  pod.name = name;
  pod.revision = revision;
  pod.trusts = trusts;
  if (issuer) {
    meshca::WorkloadCertFacts cert;
    cert.issuer = issuer;
    pod.workload = cert;
  }
  return pod;
}

constexpr CaSet kCitadel{true, false};
constexpr CaSet kMeshCa{false, true};
constexpr CaSet kBoth{true, true};

meshca::RevisionCa config(const std::string& revision, std::optional<CaClass> issuer) {
  meshca::RevisionCa ca;
  ca.revision = revision;
  ca.issuer = issuer;
  ca.issuer_source = "IstioOperator installed-state-" + revision;
  return ca;
}

const meshca::MeshCaRecognizer kByCn = meshca::MeshCaRecognizer::by_subject_cn("test");

} // namespace

TEST_CASE("a revision's trust comes from its running sidecars when it has some") {
  meshca::CheckRootResult mesh;
  mesh.pods = {sidecar("a", "a-1", "r2", kBoth, CaClass::meshca),
               sidecar("a", "a-2", "r2", kMeshCa, CaClass::meshca),
               sidecar("b", "b-1", "r1", kCitadel, CaClass::citadel)};
  const auto ca = config("r2", CaClass::citadel); // the configuration is not asked
  const auto trust = meshca::predict_revision_trust("r2", mesh, &ca, true, kByCn);
  CHECK(trust.issues == kMeshCa);
  CHECK(trust.trusts == kMeshCa); // what every one of them trusts
  CHECK(trust.evidence == "2 running sidecars of r2");
}

TEST_CASE("without sidecars: its CA, caCertificates, and the Citadel root of a multi-root Mesh CA "
          "istiod") {
  const meshca::CheckRootResult empty;
  SUBCASE("Citadel, no extra roots") {
    const auto ca = config("r0", CaClass::citadel);
    const auto trust = meshca::predict_revision_trust("r0", empty, &ca, true, kByCn);
    CHECK(trust.issues == kCitadel);
    CHECK(trust.trusts == kCitadel);
  }
  SUBCASE("Citadel handing out the Mesh CA root (ca-migration-citadel)") {
    auto ca = config("r1", CaClass::citadel);
    ca.ca_certificates = {meshca::testing::read_file(
        std::string(MESHCA_SAMPLES_DIR) +
        "/meshca_root_istio_v1_cloud_workload_root-signer-0-2018-04-25.pem")};
    ca.mesh_config_source = "ConfigMap istio-system/istio-r1";
    const auto trust = meshca::predict_revision_trust("r1", empty, &ca, true, kByCn);
    CHECK(trust.issues == kCitadel);
    CHECK(trust.trusts == kBoth);
    CHECK(trust.evidence.find("caCertificates 1 root (ConfigMap istio-system/istio-r1)") !=
          std::string::npos);
  }
  SUBCASE(
      "Mesh CA with ISTIO_MULTIROOT_MESH keeps the Citadel root only while a CA secret exists") {
    auto ca = config("r2", CaClass::meshca);
    ca.multi_root = true;
    CHECK(meshca::predict_revision_trust("r2", empty, &ca, true, kByCn).trusts == kBoth);
    CHECK(meshca::predict_revision_trust("r2", empty, &ca, false, kByCn).trusts == kMeshCa);
    ca.ca_server = false; // as asmcli's ca-migration-meshca option installs it
    CHECK(meshca::predict_revision_trust("r2", empty, &ca, true, kByCn).trusts == kBoth);
    ca.multi_root = false;
    CHECK(meshca::predict_revision_trust("r2", empty, &ca, true, kByCn).trusts == kMeshCa);
  }
  SUBCASE("a CA that cannot be told, or no configuration at all, counts as Mesh CA") {
    const auto unknown = config("rx", std::nullopt);
    const auto trust = meshca::predict_revision_trust("rx", empty, &unknown, true, kByCn);
    CHECK(trust.issues == kMeshCa);
    CHECK(trust.evidence.find("cannot be told") != std::string::npos);
    CHECK(meshca::predict_revision_trust("gone", empty, nullptr, true, kByCn).issues == kMeshCa);
  }
}

TEST_CASE("the gate: both directions, grouped per context, namespace and revision") {
  meshca::CheckRootResult mesh;
  mesh.pods = {sidecar("shop", "web-1", "r0", kCitadel, CaClass::citadel),
               sidecar("shop", "web-2", "r0", kCitadel, CaClass::citadel),
               sidecar("istio-system", "gw-1", "r0", kCitadel, CaClass::citadel, "west"),
               sidecar("pay", "api-1", "r1", kBoth, CaClass::citadel),
               sidecar("new", "n-1", "r2", kBoth, CaClass::meshca)};
  meshca::PodReport unreadable;
  unreadable.ns = "pay";
  unreadable.name = "api-2";
  unreadable.error = "exec timed out";
  mesh.pods.push_back(unreadable);

  const meshca::RevisionTrust mesh_ca{"r2", kMeshCa, kBoth, "its configuration"};
  auto verdict = meshca::evaluate_trust_gate(mesh, mesh_ca);
  CHECK_FALSE(verdict.ok());
  CHECK(verdict.checked == 6);
  REQUIRE(verdict.distrust_target.size() == 2);
  CHECK(verdict.distrust_target[0].context.empty());
  CHECK(verdict.distrust_target[0].ns == "shop");
  CHECK(verdict.distrust_target[0].sidecars == 2);
  CHECK(verdict.distrust_target[1].context == "west");
  CHECK(verdict.distrusted.empty());
  REQUIRE(verdict.unreadable.size() == 1);

  verdict.root_distributing = "r1";
  const meshca::Error refusal = meshca::trust_gate_refusal(verdict, "namespace pay");
  CHECK(refusal.status == meshca::ExitStatus::check_failed);
  CHECK(refusal.message.find("moving namespace pay to revision r2 is refused") == 0);
  CHECK(refusal.message.find("\n  namespace shop (revision r0): 2 sidecars trust [CITADEL]") !=
        std::string::npos);
  CHECK(refusal.message.find(
            "\n  context west: namespace istio-system (revision r0): 1 sidecar trusts [CITADEL]") !=
        std::string::npos);
  CHECK(refusal.message.find(
            "kubectl meshca relabel ns shop --revision r1 -o name | kubectl meshca rollout -\n") !=
        std::string::npos);
  CHECK(refusal.message.find(
            "context west: the gateways in istio-system: upgrade them to revision r1") !=
        std::string::npos);
  CHECK(refusal.message.find("Also not checked:\n  api-2.pay: exec timed out") !=
        std::string::npos);
  CHECK(refusal.message.ends_with("Nothing was changed. Use --force to move anyway."));

  // The rollback direction: a Citadel-only revision while Mesh CA certificates are in use.
  const meshca::RevisionTrust citadel_only{"r0", kCitadel, kCitadel, "2 running sidecars of r0"};
  mesh.pods.pop_back();
  auto rollback = meshca::evaluate_trust_gate(mesh, citadel_only);
  CHECK(rollback.distrust_target.empty());
  REQUIRE(rollback.distrusted.size() == 1);
  CHECK(rollback.distrusted[0].ns == "new");
  CHECK(rollback.distrusted[0].holds == "hold certificates issued by [MESHCA]");
  rollback.root_distributing = "r1";
  const auto message = meshca::trust_gate_refusal(rollback, "namespace shop").message;
  CHECK(message.find("the sidecars r0 starts would trust only [CITADEL]") != std::string::npos);
  CHECK(message.find(
            "namespace new (revision r2): 1 sidecar holds certificates issued by [MESHCA]") !=
        std::string::npos);
  CHECK(message.find("move those namespaces back to the root-distributing revision r1 first:") !=
        std::string::npos);
  const auto warnings = meshca::trust_gate_warnings(rollback, "namespace shop");
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].starts_with(
      "--force: moving namespace shop to r0 although namespace new (revision r2)"));
}

TEST_CASE("the gate passes a ready mesh, and only unreadable sidecars make it a cluster error") {
  meshca::CheckRootResult mesh;
  mesh.pods = {sidecar("shop", "web-1", "r1", kBoth, CaClass::citadel)};
  const meshca::RevisionTrust mesh_ca{"r2", kMeshCa, kBoth, "its configuration"};
  CHECK(meshca::evaluate_trust_gate(mesh, mesh_ca).ok());
  mesh.cluster_errors = {"context east: listing pods: connection refused"};
  const auto verdict = meshca::evaluate_trust_gate(mesh, mesh_ca);
  CHECK_FALSE(verdict.ok());
  const auto refusal = meshca::trust_gate_refusal(verdict, "namespace shop");
  CHECK(refusal.status == meshca::ExitStatus::cluster_error);
  CHECK(refusal.message.find("not every sidecar could be read") != std::string::npos);
  // Without a root-distributing revision the fix is installing one.
  mesh.cluster_errors.clear();
  mesh.pods.push_back(sidecar("old", "o-1", "r0", kCitadel, CaClass::citadel));
  const auto install =
      meshca::trust_gate_refusal(meshca::evaluate_trust_gate(mesh, mesh_ca), "namespace shop");
  CHECK(install.message.find("asmcli install --ca citadel --option ca-migration-citadel") !=
        std::string::npos);
}

TEST_CASE("apply_trust_gate: refusal, --force warnings, and a gate that cannot read") {
  std::vector<std::string> warnings;
  const std::vector<meshca::PlannedMove> moves = {{"r2", {"namespace a", "namespace b"}}};
  meshca::TrustGateCheck refusing =
      [](const std::string& revision) -> meshca::Result<meshca::TrustGateVerdict> {
    meshca::TrustGateVerdict verdict;
    verdict.target = {revision, kMeshCa, kBoth, "its configuration"};
    verdict.distrust_target = {{"", "old", "r0", 3, "trust [CITADEL]"}};
    return verdict;
  };
  auto refused = meshca::apply_trust_gate(refusing, moves, meshca::Force::no, warnings);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("moving namespace a, namespace b to revision r2 is refused") ==
        0);
  CHECK(warnings.empty());
  CHECK(meshca::apply_trust_gate(refusing, moves, meshca::Force::yes, warnings).ok());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].starts_with(
      "--force: moving namespace a, namespace b to r2 although namespace old"));

  meshca::TrustGateCheck failing =
      [](const std::string&) -> meshca::Result<meshca::TrustGateVerdict> {
    return meshca::cluster_error("listing pods: Unauthorized");
  };
  auto unread = meshca::apply_trust_gate(failing, moves, meshca::Force::no, warnings);
  REQUIRE_FALSE(unread.ok());
  CHECK(unread.error().status == meshca::ExitStatus::cluster_error);
  CHECK(unread.error().message.find("could not be checked: listing pods: Unauthorized") !=
        std::string::npos);
  CHECK(
      meshca::apply_trust_gate({}, moves, meshca::Force::no, warnings).ok()); // no gate configured
}

TEST_CASE("sidecars_that agrees the verb with the count") {
  CHECK(meshca::sidecars_that(1, "trust [CITADEL]") == "1 sidecar trusts [CITADEL]");
  CHECK(meshca::sidecars_that(3, "trust [CITADEL]") == "3 sidecars trust [CITADEL]");
  CHECK(meshca::sidecars_that(1, "have no certificate") == "1 sidecar has no certificate");
  CHECK(meshca::sidecars_that(1, "hold certificates issued by [MESHCA]") ==
        "1 sidecar holds certificates issued by [MESHCA]");
}
