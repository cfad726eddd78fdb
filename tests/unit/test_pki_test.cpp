// The test PKI itself: the certificates it makes must be what the tests believe they are.
#include "meshca/util/x509.h"
#include "test_pki.h"

#include <chrono>
#include <doctest/doctest.h>
#include <thread>

using namespace meshca;
using meshca::testing::CertSpec;
using meshca::testing::TestCa;

TEST_CASE("test PKI builds a root, an intermediate and a leaf with the requested fields") {
  const auto root = TestCa::self_signed(
      {"C=US,O=Google LLC,OU=Cloud,CN=istio_v1_cloud_workload_root-signer-0-2018-04-25T14:11:33-"
       "07:00 K:1, 1:H52vgwEm3tc:0:18"});
  const auto intermediate = root.issue_ca({"O=Istio,CN=Inter\\, mediate"});
  CertSpec spec;
  spec.uri_sans = {"https://example.com", "spiffe://td/ns/a/sa/b"};
  spec.serial_hex = "0A1B";
  const auto leaf = intermediate.issue_leaf(spec);

  const auto root_cert = x509::read_pem_bundle(root.cert_pem(), "root");
  REQUIRE(root_cert.ok());
  CHECK((*root_cert)[0].subject_cn() ==
        "istio_v1_cloud_workload_root-signer-0-2018-04-25T14:11:33-07:00 K:1, 1:H52vgwEm3tc:0:18");
  CHECK((*root_cert)[0].is_ca());
  CHECK((*root_cert)[0].is_self_signed());
  CHECK(root.root_pem() == root.cert_pem());

  const auto chain = x509::read_pem_bundle(leaf.chain_pem, "chain");
  REQUIRE(chain.ok());
  REQUIRE(chain->size() == 3);
  CHECK((*chain)[1].subject() == "CN=Inter\\, mediate,O=Istio");
  CHECK((*chain)[1].is_ca());
  CHECK_FALSE((*chain)[1].is_self_signed());
  CHECK((*chain)[0].serial_hex() == "0A1B");
  CHECK((*chain)[0].subject().empty());
  CHECK_FALSE((*chain)[0].is_ca());
  CHECK((*chain)[0].uri_sans() == spec.uri_sans);
  CHECK((*chain)[0].spiffe_id() == "spiffe://td/ns/a/sa/b");
  CHECK(intermediate.chain_pem() == intermediate.cert_pem() + root.cert_pem());
  CHECK(intermediate.root_pem() == root.cert_pem());
  CHECK(x509::verify_chain(*chain, *root_cert).ok());
  CHECK(leaf.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
}

TEST_CASE("test PKI validity window follows the spec") {
  const auto root = TestCa::self_signed({"O=r"});
  CertSpec spec{"O=l", {}, false, -7200, 3600, ""};
  const auto leaf = x509::read_pem_bundle(root.issue_leaf(spec).cert_pem, "leaf");
  REQUIRE(leaf.ok());
  const auto lifetime = (*leaf)[0].not_after() - (*leaf)[0].not_before();
  CHECK(lifetime == std::chrono::hours{1});
  CHECK((*leaf)[0].not_after() < std::chrono::system_clock::now());
}

TEST_CASE("test PKI rejects a malformed subject and serial") {
  CHECK_THROWS_AS(TestCa::self_signed({"no attribute here"}), std::runtime_error);
  CertSpec spec{"O=x", {}, false, -3600, 3600, "not hex"};
  CHECK_THROWS_AS(TestCa::self_signed(spec), std::runtime_error);
}

TEST_CASE("test PKI serials are random unless given") {
  const auto root = TestCa::self_signed({"O=r"});
  const auto a = x509::read_pem_bundle(root.issue_leaf({"O=a"}).cert_pem, "a");
  const auto b = x509::read_pem_bundle(root.issue_leaf({"O=a"}).cert_pem, "b");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK((*a)[0].serial_hex() != (*b)[0].serial_hex());
  CHECK((*a)[0].serial_hex().size() == 32);
}

TEST_CASE("test PKI is usable from several threads") {
  const auto root = TestCa::self_signed({"O=cluster.local"});
  std::vector<std::string> pems(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < pems.size(); ++i)
    threads.emplace_back(
        [&, i] { pems[i] = root.issue_ca({"O=ca" + std::to_string(i)}).chain_pem(); });
  for (auto& thread : threads)
    thread.join();
  const auto roots = x509::read_pem_bundle(root.cert_pem(), "root");
  REQUIRE(roots.ok());
  for (const auto& pem : pems) {
    const auto chain = x509::read_pem_bundle(pem, "chain");
    REQUIRE(chain.ok());
    CHECK(x509::verify_chain(*chain, *roots).ok());
  }
}
