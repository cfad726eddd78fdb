#include "meshca/util/base64.h"
#include "meshca/util/x509.h"
#include "test_files.h"
#include "test_pki.h"

#include <chrono>
#include <doctest/doctest.h>
#include <string>

using namespace meshca;
using namespace std::chrono;
using meshca::testing::read_file;

namespace {

constexpr const char* kMeshCaFingerprint =
    "614849A4AA1A7CE593C04443862AD43B5364814D5E7D5125B07408DAD2C526F0";

std::vector<x509::Certificate> sample(const std::string& name) {
  auto certs = x509::read_pem_bundle(read_file(std::string(MESHCA_SAMPLES_DIR) + "/" + name), name);
  REQUIRE_MESSAGE(certs.ok(), (certs.ok() ? "" : certs.error().message));
  return std::move(certs).value();
}

x509::TimePoint utc(int y, unsigned m, unsigned d, int hour = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hour};
}

} // namespace

TEST_CASE("x509 Mesh CA root sample") {
  const auto certs = sample("meshca_root_istio_v1_cloud_workload_root-signer-0-2018-04-25.pem");
  REQUIRE(certs.size() == 1);
  const auto& root = certs[0];
  CHECK(root.fingerprint() == kMeshCaFingerprint);
  CHECK(root.fingerprint_colons().substr(0, 12) == "61:48:49:A4:");
  CHECK(root.fingerprint_colons().size() == 95);
  CHECK(root.serial_hex() == "116DB900F6BB4BD4A3FCD8FA57A1B141");
  CHECK(root.subject_cn() ==
        "istio_v1_cloud_workload_root-signer-0-2018-04-25T14:11:33-07:00 K:1, 1:H52vgwEm3tc:0:18");
  CHECK(root.subject() == "CN=istio_v1_cloud_workload_root-signer-0-2018-04-25T14:11:33-07:00 "
                          "K:1\\, 1:H52vgwEm3tc:0:18,OU=Cloud,O=Google LLC,L=Mountain View,"
                          "ST=California,C=US");
  CHECK(root.subject_oneline().starts_with("C = US, ST = California, L = Mountain View"));
  CHECK(root.issuer() == root.subject());
  CHECK(root.is_ca());
  CHECK(root.is_self_signed());
  CHECK(root.uri_sans().empty());
  CHECK_FALSE(root.spiffe_id().has_value());
  CHECK(root.not_before() == utc(2018, 4, 25, 21) + minutes{11} + seconds{33});
  CHECK(root.not_after() == utc(2118, 4, 25, 22) + minutes{11} + seconds{33});
  CHECK(root.valid_at(utc(2024, 1, 1)));
  CHECK_FALSE(root.valid_at(utc(2018, 4, 25)));
}

TEST_CASE("x509 Istio self-signed root and workload chain samples") {
  const auto root = sample("istio-selfsigned-root_O-cluster.local_root-cert.pem");
  const auto chain = sample("istio-selfsigned-workload_cert-chain.pem");
  REQUIRE(root.size() == 1);
  REQUIRE(chain.size() == 2);
  CHECK(root[0].subject() == "O=cluster.local");
  CHECK(root[0].subject_cn().empty());
  CHECK(root[0].fingerprint() ==
        "D2AA17BC6580E093F523364163A60D3515668C3CD66D19625FD6EAC7D55B4F76");
  CHECK(chain[1] == root[0]);
  const auto& leaf = chain[0];
  CHECK(leaf.subject().empty());
  CHECK(leaf.issuer() == "O=cluster.local");
  CHECK_FALSE(leaf.is_ca());
  CHECK_FALSE(leaf.is_self_signed());
  CHECK(leaf.spiffe_id() == "spiffe://cluster.local/ns/istio-system/sa/prometheus");
  CHECK(leaf.not_before() == utc(2020, 4, 11, 18) + minutes{16} + seconds{21});

  SUBCASE("verifies against its root inside its validity") {
    const auto anchor = x509::verify_chain(chain, root, utc(2020, 4, 12));
    REQUIRE_MESSAGE(anchor.ok(), (anchor.ok() ? "" : anchor.error().message));
    CHECK(*anchor == 0);
    // Without the trailing root in the chain, too.
    CHECK(x509::verify_chain({leaf}, root, utc(2020, 4, 12)).ok());
  }
  SUBCASE("the leaf has expired today") {
    const auto anchor = x509::verify_chain(chain, root);
    REQUIRE_FALSE(anchor.ok());
    CHECK(anchor.error().status == ExitStatus::check_failed);
    CHECK(anchor.error().message.find("certificate has expired (depth 0") != std::string::npos);
  }
  SUBCASE("does not verify against another root") {
    const auto meshca = sample("meshca_root_istio_v1_cloud_workload_root-signer-0-2018-04-25.pem");
    const auto anchor = x509::verify_chain({leaf}, meshca, utc(2020, 4, 12));
    REQUIRE_FALSE(anchor.ok());
    CHECK(anchor.error().message.find("unable to get local issuer certificate") !=
          std::string::npos);
    // A trailing self-signed root that is not trusted is refused.
    CHECK_FALSE(x509::verify_chain(chain, meshca, utc(2020, 4, 12)).ok());
  }
}

TEST_CASE("x509 Istio sample plug-in CA: intermediate verifies against its root") {
  const auto root = sample("istio-samples-certs_root-cert.pem");
  const auto intermediate = sample("istio-samples-certs_ca-cert.pem");
  const auto chain = sample("istio-samples-certs_cert-chain.pem");
  CHECK(
      root[0].subject() ==
      "emailAddress=testrootca@istio.io,CN=Root CA,OU=Test,O=Istio,L=Sunnyvale,ST=California,C=US");
  CHECK(intermediate[0].subject_cn() == "Istio CA");
  CHECK(intermediate[0].is_ca());
  CHECK_FALSE(intermediate[0].is_self_signed());
  CHECK(chain[0] == intermediate[0]);
  auto roots = sample("meshca_root_istio_v1_cloud_workload_root-signer-0-2018-04-25.pem");
  roots.push_back(root[0]);
  const auto anchor = x509::verify_chain(intermediate, roots);
  REQUIRE(anchor.ok());
  CHECK(*anchor == 1);
}

TEST_CASE("x509 read_pem_bundle reads every block of a multi-root bundle") {
  const std::string pem =
      "# comment before the first block\n" +
      read_file(std::string(MESHCA_SAMPLES_DIR) +
                "/istio-selfsigned-root_O-cluster.local_root-cert.pem") +
      "\n" +
      read_file(std::string(MESHCA_SAMPLES_DIR) +
                "/meshca_root_istio_v1_cloud_workload_root-signer-0-2018-04-25.pem");
  const auto certs = x509::read_pem_bundle(pem, "ROOTCA");
  REQUIRE(certs.ok());
  REQUIRE(certs->size() == 2);
  CHECK((*certs)[1].fingerprint() == kMeshCaFingerprint);
  CHECK(x509::to_pem(*certs) == (*certs)[0].to_pem() + (*certs)[1].to_pem());
  const auto again = x509::read_pem_bundle(x509::to_pem(*certs), "round trip");
  REQUIRE(again.ok());
  CHECK(x509::fingerprints(*again) == x509::fingerprints(*certs));
}

TEST_CASE("x509 read_pem_bundle errors") {
  SUBCASE("empty input") {
    const auto certs = x509::read_pem_bundle("", "ROOTCA of pod \"a/b\"");
    REQUIRE_FALSE(certs.ok());
    CHECK(certs.error().status == ExitStatus::bad_input);
    CHECK(certs.error().message == "ROOTCA of pod \"a/b\": no certificate found (expected PEM "
                                   "\"-----BEGIN CERTIFICATE-----\" blocks)");
  }
  SUBCASE("garbage") {
    CHECK_FALSE(x509::read_pem_bundle("hello world\n", "x").ok());
  }
  SUBCASE("damaged base64 inside a block") {
    const auto certs = x509::read_pem_bundle(
        "-----BEGIN CERTIFICATE-----\nMIIB*#!\n-----END CERTIFICATE-----\n", "bundle");
    REQUIRE_FALSE(certs.ok());
    CHECK(certs.error().message.starts_with("bundle: invalid PEM: certificate block 1: "));
  }
  SUBCASE("valid base64 that is not a certificate") {
    const auto certs = x509::read_pem_bundle(
        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n", "bundle");
    REQUIRE_FALSE(certs.ok());
    CHECK(certs.error().message.find("not a valid X.509 certificate") != std::string::npos);
  }
  SUBCASE("truncated second block") {
    std::string pem =
        read_file(std::string(MESHCA_SAMPLES_DIR) + "/istio-samples-certs_root-cert.pem");
    pem += pem.substr(0, pem.size() / 2);
    const auto certs = x509::read_pem_bundle(pem, "bundle");
    REQUIRE_FALSE(certs.ok());
    CHECK(certs.error().message.find("certificate block 2") != std::string::npos);
  }
  SUBCASE("a private key block") {
    const auto ca = meshca::testing::TestCa::self_signed({"O=Test"});
    const auto certs = x509::read_pem_bundle(ca.cert_pem() + ca.key_pem(), "bundle");
    REQUIRE_FALSE(certs.ok());
    CHECK(certs.error().message ==
          "bundle: invalid PEM: certificate block 2: is a \"PRIVATE KEY\" block, expected "
          "\"CERTIFICATE\"");
  }
}

TEST_CASE("x509 from_der round trip and errors") {
  const auto root = sample("istio-samples-certs_root-cert.pem");
  const std::string der = root[0].to_der();
  const auto again = x509::from_der(der, "x5c[0]");
  REQUIRE(again.ok());
  CHECK(*again == root[0]);
  CHECK_FALSE(x509::from_der("", "x5c[0]").ok());
  CHECK_FALSE(x509::from_der(der.substr(0, der.size() - 1), "x5c[0]").ok());
  const auto trailing = x509::from_der(der + "xx", "x5c[0]");
  REQUIRE_FALSE(trailing.ok());
  CHECK(trailing.error().message == "x5c[0]: 2 unexpected bytes after the DER certificate");
}

TEST_CASE("x509 an encoding that is not DER is refused, as DER and as PEM") {
  const auto root = sample("istio-samples-certs_root-cert.pem");
  const std::string der = root[0].to_der();
  // The signature algorithm's NULL parameters with tag 0x20 (constructed, tag number 0): OpenSSL
  // reads it, then writes bytes it refuses to read again (a libFuzzer find).
  const std::string sha256_rsa_null("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b\x05\x00", 13);
  std::string odd_tag = der;
  const auto outer_algorithm = odd_tag.rfind(sha256_rsa_null);
  REQUIRE(outer_algorithm != std::string::npos);
  odd_tag[outer_algorithm + 11] = '\x20';
  // The outer SEQUENCE's length in a longer form than needed (BER, not DER): 30 82 LL LL becomes
  // 30 83 00 LL LL.
  REQUIRE(der.substr(0, 2) == "\x30\x82");
  const std::string long_length = "\x30\x83" + std::string(1, '\0') + der.substr(2);
  for (const auto& [name, bytes] :
       {std::pair{"odd parameters tag", odd_tag}, std::pair{"long-form length", long_length}}) {
    CAPTURE(name);
    const auto as_der = x509::from_der(bytes, "x5c[0]");
    REQUIRE_FALSE(as_der.ok());
    CHECK(as_der.error().message ==
          "x5c[0]: not DER-encoded (OpenSSL re-encodes it differently; certificates must be DER, "
          "RFC 5280 section 4.1)");
    const auto pem = root[0].to_pem() + "-----BEGIN CERTIFICATE-----\n" + base64::encode(bytes) +
                     "\n-----END CERTIFICATE-----\n";
    const auto as_pem = x509::read_pem_bundle(pem, "ca.crt");
    REQUIRE_FALSE(as_pem.ok());
    CHECK(as_pem.error().message ==
          "ca.crt: invalid PEM: certificate block 2: not DER-encoded (OpenSSL re-encodes it "
          "differently; certificates must be DER, RFC 5280 section 4.1)");
  }
}

TEST_CASE("x509 Certificate copies share the certificate") {
  const auto certs = sample("istio-samples-certs_root-cert.pem");
  x509::Certificate copy = certs[0];
  x509::Certificate moved = std::move(copy);
  copy = moved; // assign to a moved-from object
  CHECK(copy == certs[0]);
  CHECK(moved.subject() == certs[0].subject());
}

TEST_CASE("x509 verify_chain with generated three-level PKI") {
  using meshca::testing::CertSpec;
  using meshca::testing::TestCa;
  const auto root = TestCa::self_signed({"O=cluster.local"});
  const auto other_root = TestCa::self_signed({"O=other.local"});
  const auto intermediate = root.issue_ca({"O=Istio,CN=Intermediate"});
  CertSpec spec;
  spec.uri_sans = {"spiffe://cluster.local/ns/default/sa/demo"};
  const auto leaf = intermediate.issue_leaf(spec);
  const auto chain = x509::read_pem_bundle(leaf.chain_pem, "chain");
  const auto roots = x509::read_pem_bundle(other_root.cert_pem() + root.cert_pem(), "roots");
  REQUIRE(chain.ok());
  REQUIRE(roots.ok());
  REQUIRE(chain->size() == 3);
  CHECK((*chain)[0].spiffe_id() == spec.uri_sans[0]);

  const auto anchor = x509::verify_chain(*chain, *roots);
  REQUIRE_MESSAGE(anchor.ok(), (anchor.ok() ? "" : anchor.error().message));
  CHECK(*anchor == 1);

  // Missing intermediate.
  const auto no_intermediate = x509::verify_chain({(*chain)[0]}, *roots);
  REQUIRE_FALSE(no_intermediate.ok());
  CHECK(no_intermediate.error().message.find("unable to get local issuer certificate") !=
        std::string::npos);
  // Before the leaf's validity.
  const auto early = x509::verify_chain(*chain, *roots, system_clock::now() - hours{24 * 400});
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().message.find("not yet valid") != std::string::npos);
  // Empty inputs.
  CHECK(x509::verify_chain({}, *roots).error().status == ExitStatus::bad_input);
  CHECK(x509::verify_chain(*chain, {}).error().status == ExitStatus::bad_input);
}

TEST_CASE("x509 verify_chain reports an expired generated leaf") {
  using meshca::testing::CertSpec;
  const auto root = meshca::testing::TestCa::self_signed({"O=cluster.local"});
  CertSpec spec{"O=expired", {}, false, -2 * 86400, 86400, ""};
  const auto leaf = x509::read_pem_bundle(root.issue_leaf(spec).cert_pem, "leaf");
  const auto roots = x509::read_pem_bundle(root.cert_pem(), "root");
  REQUIRE(leaf.ok());
  REQUIRE(roots.ok());
  const auto anchor = x509::verify_chain(*leaf, *roots);
  REQUIRE_FALSE(anchor.ok());
  CHECK(anchor.error().message ==
        "certificate chain does not verify: certificate has expired (depth 0, subject "
        "\"O=expired\", issuer \"O=cluster.local\")");
}

TEST_CASE("x509 FingerprintSet compares bundles as sets") {
  const x509::FingerprintSet ab({"B", "A", "B"});
  CHECK(ab.items() == std::vector<std::string>{"A", "B"});
  x509::FingerprintSet ba;
  ba.insert("B");
  ba.insert("A");
  ba.insert("A");
  CHECK(ab == ba);
  const x509::FingerprintSet c({"C"});
  const x509::FingerprintSet bc({"B", "C"});
  CHECK(ab.intersects(bc));
  CHECK_FALSE(ab.intersects(c));
  CHECK(bc.includes(c));
  CHECK_FALSE(c.includes(bc));
  CHECK(ab.includes(x509::FingerprintSet{}));
  CHECK(ab.contains("A"));
  CHECK_FALSE(ab.contains("C"));
  CHECK(ab < bc);
  CHECK(x509::FingerprintSet{}.empty());
}

namespace {

// "-----END CERTIFICATE-----\n" made "-----END CERTIFICATE-----" + `glue` at the end of `pem`.
std::string without_final_newline(std::string pem, const std::string& glue = "") {
  REQUIRE(pem.ends_with("-----END CERTIFICATE-----\n"));
  pem.pop_back();
  return pem + glue;
}

} // namespace

TEST_CASE("x509 a bundle whose END line runs into the next BEGIN line is named as such") {
  const auto a = meshca::testing::TestCa::self_signed({"O=a.example"});
  const auto b = meshca::testing::TestCa::self_signed({"O=b.example"});
  const auto c = meshca::testing::TestCa::self_signed({"O=c.example"});
  CHECK_FALSE(x509::find_end_line_run_on(a.cert_pem() + b.cert_pem()).has_value());
  CHECK_FALSE(x509::find_end_line_run_on(without_final_newline(a.cert_pem())).has_value());
  CHECK_FALSE(x509::find_end_line_run_on("").has_value());

  const std::string glued = without_final_newline(a.cert_pem()) + b.cert_pem();
  REQUIRE(glued.find("-----END CERTIFICATE----------BEGIN CERTIFICATE-----") != std::string::npos);
  CHECK(x509::find_end_line_run_on(glued) == 1u);
  CHECK(x509::find_end_line_run_on(a.cert_pem() + without_final_newline(b.cert_pem(), " ") +
                                   c.cert_pem()) == 2u);

  // OpenSSL's own reading says only "bad end line"; ours says what is wrong and the fix.
  const auto certs = x509::read_pem_bundle(a.cert_pem() + glued, "ROOTCA of pod \"a/b\"");
  REQUIRE_FALSE(certs.ok());
  CHECK(certs.error().status == ExitStatus::bad_input);
  CHECK(certs.error().message ==
        "ROOTCA of pod \"a/b\": invalid PEM: certificate block 2: its END line runs into the next "
        "BEGIN line (no newline between them); put each -----BEGIN on a line of its own");
}
