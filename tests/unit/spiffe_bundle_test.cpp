#include "meshca/mesh/spiffe_bundle.h"
#include "meshca/util/base64.h"
#include "test_files.h"
#include "test_pki.h"

#include <doctest/doctest.h>
#include <string>

using namespace meshca;
using meshca::testing::read_file;

namespace {

constexpr const char* kMeshCaFingerprint =
    "614849A4AA1A7CE593C04443862AD43B5364814D5E7D5125B07408DAD2C526F0";
const std::string kSamples = MESHCA_SAMPLES_DIR;

std::string der_base64_of(const std::string& pem) {
  const auto certs = x509::read_pem_bundle(pem, "test PEM");
  REQUIRE(certs.ok());
  return base64::encode((*certs)[0].to_der());
}

std::string key(const std::string& use, const std::string& x5c) {
  return R"({"kty":"EC","use":")" + use + R"(","x5c":[)" + x5c + "]}";
}

} // namespace

TEST_CASE("SPIFFE bundle: the Mesh CA bundle sample holds the Mesh CA root") {
  const auto bundle =
      mesh::parse_spiffe_bundle(read_file(kSamples + "/meshca_spiffe_bundle_jwks.json"), "sample");
  REQUIRE_MESSAGE(bundle.ok(), (bundle.ok() ? "" : bundle.error().message));
  REQUIRE(bundle->x509_authorities.size() == 1);
  CHECK(bundle->x509_authorities[0].fingerprint() == kMeshCaFingerprint);
  CHECK(bundle->fingerprints.items() == std::vector<std::string>{kMeshCaFingerprint});
  CHECK(bundle->sequence == 1);
  CHECK(bundle->refresh_hint_s == 450000);
  // Byte for byte the same certificate as the PEM sample.
  const auto pem = x509::read_pem_bundle(
      read_file(kSamples + "/meshca_root_istio_v1_cloud_workload_root-signer-0-2018-04-25.pem"),
      "pem");
  REQUIRE(pem.ok());
  CHECK((*pem)[0].to_der() == bundle->x509_authorities[0].to_der());
}

TEST_CASE("SPIFFE bundle: several authorities, JWT keys skipped") {
  const auto a = meshca::testing::TestCa::self_signed({"O=a.example"});
  const auto b = meshca::testing::TestCa::self_signed({"O=b.example"});
  const std::string json =
      R"({"keys":[)" + key("x509-svid", "\"" + der_base64_of(a.cert_pem()) + "\"") +
      R"(,{"kty":"EC","use":"jwt-svid","kid":"k","crv":"P-256","x":"AQAB","y":"AQAB"},)" +
      key("x509-svid", "\"" + der_base64_of(b.cert_pem()) + "\"") + "]}";
  const auto bundle = mesh::parse_spiffe_bundle(json, "two roots");
  REQUIRE_MESSAGE(bundle.ok(), (bundle.ok() ? "" : bundle.error().message));
  REQUIRE(bundle->x509_authorities.size() == 2);
  CHECK(bundle->x509_authorities[0].subject() == "O=a.example");
  CHECK(bundle->x509_authorities[1].subject() == "O=b.example");
  CHECK(bundle->fingerprints.size() == 2);
  CHECK_FALSE(bundle->sequence.has_value());
}

TEST_CASE("SPIFFE bundle: malformed bundles are errors naming the key") {
  const auto cert = meshca::testing::TestCa::self_signed({"O=a.example"});
  const std::string good = "\"" + der_base64_of(cert.cert_pem()) + "\"";
  struct Case {
    std::string json;
    std::string message;
  };
  const Case cases[] = {
      {"{\"keys\":[", "SPIFFE trust bundle b: invalid JSON at offset 9"},
      {"{}", "SPIFFE trust bundle b: not a SPIFFE bundle (no \"keys\" array)"},
      {R"({"keys":{}})", "SPIFFE trust bundle b: not a SPIFFE bundle (no \"keys\" array)"},
      {R"({"keys":[]})", "SPIFFE trust bundle b: no X.509 authority"},
      {R"({"keys":[{"use":"jwt-svid"}]})", "SPIFFE trust bundle b: no X.509 authority"},
      {R"({"keys":[{"use":"x509-svid"}]})",
       "SPIFFE trust bundle b: keys[0]: an x509-svid key has no \"x5c\" certificate"},
      {"{\"keys\":[" + key("x509-svid", "") + "]}",
       "SPIFFE trust bundle b: keys[0]: an x509-svid key has no \"x5c\" certificate"},
      {"{\"keys\":[" + key("x509-svid", good + ",42") + "]}",
       "SPIFFE trust bundle b: keys[0].x5c[1]: expected a base64 string"},
      {"{\"keys\":[" + key("x509-svid", "\"MIIB_-\"") + "]}",
       "SPIFFE trust bundle b: keys[0].x5c[0]: invalid base64: unexpected character '_' at "
       "offset 4"},
      {"{\"keys\":[" + key("x509-svid", "\"aGVsbG8=\"") + "]}",
       "SPIFFE trust bundle b: keys[0].x5c[0]: not a valid DER X.509 certificate"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    const auto bundle = mesh::parse_spiffe_bundle(c.json, "b");
    REQUIRE_FALSE(bundle.ok());
    CHECK(bundle.error().status == ExitStatus::bad_input);
    CHECK(bundle.error().message.starts_with(c.message));
  }
}
