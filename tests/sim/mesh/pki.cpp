#include "mesh/pki.h"

#include "test_pki.h"

#include <filesystem>
#include <fstream>
#include <memory>

namespace sim::mesh {

using meshca::testing::CertSpec;
using meshca::testing::TestCa;

struct MeshPki::Ca {
  TestCa ca;
};

namespace {
// Google's subject layout; the CN suffix mimics the real "... K:1, 1:<id>:0:18" form.
std::string meshca_subject(const std::string& cn) {
  return "C=US,ST=California,L=Mountain View,O=Google LLC,OU=Cloud,CN=" + cn;
}

constexpr long kTenYears = 10L * 365 * 24 * 3600;
constexpr long kOneDay = 24L * 3600;
} // namespace

MeshPki::MeshPki(const std::string& citadel_trust_domain, bool plugin_ca) {
  CertSpec root_spec;
  root_spec.subject = "O=" + citadel_trust_domain;
  root_spec.validity_s = kTenYears;
  TestCa citadel_root = TestCa::self_signed(root_spec);
  citadel_root_ = citadel_root.cert_pem();
  citadel_root_key_ = citadel_root.key_pem();
  if (plugin_ca) {
    CertSpec inter;
    inter.subject = "O=" + citadel_trust_domain + ",CN=Intermediate CA";
    inter.validity_s = kTenYears;
    TestCa intermediate = citadel_root.issue_ca(inter);
    citadel_intermediate_ = intermediate.cert_pem();
    citadel_intermediate_key_ = intermediate.key_pem();
    citadel_signer_ = std::make_shared<Ca>(Ca{intermediate});
  } else {
    citadel_signer_ = std::make_shared<Ca>(Ca{citadel_root});
  }

  const char* const ids[] = {"0-2024-01-10T10:11:33-07:00 K:1, 1:Sim7rootA2bQ:0:18",
                             "1-2025-03-04T09:27:51-07:00 K:1, 1:Sim9rootB4cR:0:18"};
  std::vector<TestCa> roots;
  for (const char* id : ids) {
    CertSpec spec;
    spec.subject = meshca_subject(std::string("istio_v1_cloud_workload_root-signer-") + id);
    spec.validity_s = 100L * 365 * 24 * 3600;
    roots.push_back(TestCa::self_signed(spec));
    meshca_roots_.push_back(roots.back().cert_pem());
  }
  CertSpec inter;
  inter.subject = meshca_subject("istio_v1_cloud_workload_signer-0-2024-01-10T10:11:33-07:00 K:1, "
                                 "1:Sim7interA:0:18");
  inter.validity_s = kTenYears;
  TestCa intermediate = roots.front().issue_ca(inter);
  meshca_intermediate_ = intermediate.cert_pem();
  meshca_signer_ = std::make_shared<Ca>(Ca{intermediate});
}

std::string MeshPki::trust_bundle_pem(CaMode mode, Omissions omitted) const {
  std::string bundle;
  if (trusts_citadel(mode, omitted))
    bundle += citadel_root_;
  if (trusts_meshca(mode, omitted))
    for (const auto& root : meshca_roots_)
      bundle += root;
  return bundle;
}

std::string MeshPki::workload_chain_pem(Issuer issuer, const std::string& spiffe_id) {
  std::lock_guard lock(mu_);
  auto key = std::make_pair(issuer, spiffe_id);
  if (auto it = leaf_chains_.find(key); it != leaf_chains_.end())
    return it->second;
  CertSpec spec; // Istio workload certificates have an empty subject
  spec.uri_sans = {spiffe_id};
  spec.validity_s = kOneDay;
  const auto& signer = issuer == Issuer::citadel ? citadel_signer_->ca : meshca_signer_->ca;
  auto leaf = signer.issue_leaf(spec);
  std::string chain = leaf.cert_pem;
  if (issuer == Issuer::citadel) {
    chain += citadel_intermediate_;
    chain += citadel_root_;
  } else {
    chain += meshca_intermediate_;
  }
  leaf_chains_.emplace(key, chain);
  return chain;
}

std::vector<std::pair<std::string, std::string>> MeshPki::cacerts_files() const {
  const std::string& ca = citadel_intermediate_.empty() ? citadel_root_ : citadel_intermediate_;
  const std::string& key =
      citadel_intermediate_.empty() ? citadel_root_key_ : citadel_intermediate_key_;
  std::string chain =
      citadel_intermediate_.empty() ? citadel_root_ : citadel_intermediate_ + citadel_root_;
  return {{"ca-cert.pem", ca},
          {"ca-key.pem", key},
          {"cert-chain.pem", chain},
          {"root-cert.pem", citadel_root_}};
}

std::vector<std::pair<std::string, std::string>> MeshPki::istio_ca_secret_files() const {
  return {{"ca-cert.pem", citadel_root_}, {"ca-key.pem", citadel_root_key_}};
}

std::vector<std::pair<std::string, std::string>> MeshPki::minted_ca_secret_files() const {
  CertSpec spec;
  spec.subject = "O=cluster.local,CN=istiod self-signed root (re-minted)";
  spec.validity_s = kTenYears;
  TestCa minted = TestCa::self_signed(spec);
  return {{"ca-cert.pem", minted.cert_pem()}, {"ca-key.pem", minted.key_pem()}};
}

std::optional<std::string> MeshPki::write_files(const std::string& dir,
                                                const std::string& bundle_json) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return "cannot create the certificate folder " + dir + ": " + ec.message();
  std::string all_meshca;
  for (const auto& root : meshca_roots_)
    all_meshca += root;
  const std::pair<const char*, const std::string*> files[] = {
      {"citadel-root.pem", &citadel_root_},
      {"meshca-root-1.pem", &meshca_roots_[0]},
      {"meshca-root-2.pem", &meshca_roots_[1]},
      {"meshca-roots.pem", &all_meshca},
      {"meshca-intermediate.pem", &meshca_intermediate_},
      {"spiffe_bundle.json", &bundle_json},
  };
  for (const auto& [name, content] : files) {
    std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary | std::ios::trunc);
    out << *content;
    if (!out)
      return "cannot write " + dir + "/" + name;
  }
  return std::nullopt;
}

} // namespace sim::mesh
