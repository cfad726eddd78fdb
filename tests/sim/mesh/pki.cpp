#include "mesh/pki.h"

#include "test_pki.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

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
  if (plugin_ca)
    make_citadel_intermediate(citadel_trust_domain);

  const char* const ids[] = {"0-2024-01-10T10:11:33-07:00 K:1, 1:Sim7rootA2bQ:0:18",
                             "1-2025-03-04T09:27:51-07:00 K:1, 1:Sim9rootB4cR:0:18"};
  std::vector<TestCa> roots;
  for (const char* id : ids) {
    CertSpec spec;
    spec.subject = meshca_subject(std::string("istio_v1_cloud_workload_root-signer-") + id);
    spec.validity_s = 100L * 365 * 24 * 3600;
    roots.push_back(TestCa::self_signed(spec));
    meshca_roots_.push_back(roots.back().cert_pem());
    meshca_root_keys_.push_back(roots.back().key_pem());
  }
  CertSpec inter;
  inter.subject = meshca_subject("istio_v1_cloud_workload_signer-0-2024-01-10T10:11:33-07:00 K:1, "
                                 "1:Sim7interA:0:18");
  inter.validity_s = kTenYears;
  TestCa intermediate = roots.front().issue_ca(inter);
  meshca_intermediate_ = intermediate.cert_pem();
  meshca_intermediate_key_ = intermediate.key_pem();
  make_signers();
}

void MeshPki::make_citadel_intermediate(const std::string& citadel_trust_domain) {
  CertSpec inter;
  inter.subject = "O=" + citadel_trust_domain + ",CN=Intermediate CA";
  inter.validity_s = kTenYears;
  TestCa intermediate = TestCa::from_pem(citadel_root_, citadel_root_key_).issue_ca(inter);
  citadel_intermediate_ = intermediate.cert_pem();
  citadel_intermediate_key_ = intermediate.key_pem();
}

void MeshPki::make_signers() {
  citadel_signer_ =
      citadel_intermediate_.empty()
          ? std::make_shared<Ca>(Ca{TestCa::from_pem(citadel_root_, citadel_root_key_)})
          : std::make_shared<Ca>(Ca{TestCa::from_pem(citadel_intermediate_,
                                                     citadel_intermediate_key_, {citadel_root_})});
  meshca_signer_ = std::make_shared<Ca>(Ca{
      TestCa::from_pem(meshca_intermediate_, meshca_intermediate_key_, {meshca_roots_.front()})});
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

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

X509Ptr parse_cert(const std::string& pem) {
  BioPtr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  X509Ptr cert{bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr};
  ERR_clear_error();
  return cert;
}

KeyPtr parse_key(const std::string& pem) {
  BioPtr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  KeyPtr key{bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr};
  ERR_clear_error();
  return key;
}

std::string subject_of(X509* cert) {
  BioPtr bio{BIO_new(BIO_s_mem())};
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0)
    return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::optional<std::string> read_whole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `content` to dir/name unless it already holds exactly that: through a temporary file
// renamed into place (a simulator starting meanwhile never reads half a file), mode 0600 for
// secrets.
std::optional<std::string> write_one(const std::filesystem::path& dir, const std::string& name,
                                     const std::string& content, bool secret) {
  const auto path = dir / name;
  if (auto current = read_whole(path); current && *current == content) {
    if (secret)
      ::chmod(path.c_str(), 0600);
    return std::nullopt;
  }
  const auto temp = dir / ("." + name + ".tmp-" + std::to_string(::getpid()));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
  if (fd < 0)
    return "cannot write " + path.string() + ": " + std::strerror(errno);
  if (secret)
    ::fchmod(fd, 0600); // also when a stale temporary file was there
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      std::string message = "cannot write " + path.string() + ": " + std::strerror(errno);
      ::close(fd);
      ::unlink(temp.c_str());
      return message;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
    std::string message = "cannot write " + path.string() + ": " + std::strerror(errno);
    ::unlink(temp.c_str());
    return message;
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names)
    out += (out.empty() ? "" : ", ") + name;
  return out;
}

} // namespace

std::variant<std::unique_ptr<MeshPki>, std::string>
MeshPki::open_dir(const std::string& dir, const std::string& citadel_trust_domain, bool plugin_ca) {
  namespace fs = std::filesystem;
  const std::string where = "--pki-dir " + dir + ": ";
  std::error_code ec;
  std::vector<std::string> present, missing, all;
  for (const char* name : kCaFiles) {
    all.emplace_back(name);
    (fs::exists(fs::path(dir) / name, ec) ? present : missing).emplace_back(name);
  }
  const bool inter_cert = fs::exists(fs::path(dir) / kPluginCaFiles[0], ec);
  const bool inter_key = fs::exists(fs::path(dir) / kPluginCaFiles[1], ec);
  const std::string complete = "; a complete PKI has " + join(all) +
                               " (remove the folder, or use an empty one, to generate a new PKI)";
  if (present.empty()) {
    if (inter_cert || inter_key)
      return where + "incomplete PKI: " + (inter_cert ? kPluginCaFiles[0] : kPluginCaFiles[1]) +
             " is there but citadel-root.pem is missing" + complete;
    return std::make_unique<MeshPki>(citadel_trust_domain, plugin_ca);
  }
  if (!missing.empty())
    return where + "incomplete PKI: " + missing.front() + " is missing" +
           (missing.size() > 1 ? " (and " + join({missing.begin() + 1, missing.end()}) + ")" : "") +
           complete;
  if (inter_cert != inter_key)
    return where + "incomplete PKI: " + (inter_cert ? kPluginCaFiles[1] : kPluginCaFiles[0]) +
           " is missing (" + (inter_cert ? kPluginCaFiles[0] : kPluginCaFiles[1]) +
           " is there; the plug-in CA needs both)";

  std::map<std::string, std::string> text;
  std::vector<const char*> names(std::begin(kCaFiles), std::end(kCaFiles));
  if (inter_cert)
    names.insert(names.end(), std::begin(kPluginCaFiles), std::end(kPluginCaFiles));
  for (const char* name : names) {
    auto content = read_whole(fs::path(dir) / name);
    if (!content)
      return where + name + " cannot be read: " + std::strerror(errno);
    text[name] = std::move(*content);
  }
  std::map<std::string, X509Ptr> certs;
  std::map<std::string, KeyPtr> keys;
  for (const char* name : names) {
    const std::string n = name;
    if (n.size() > 8 && n.compare(n.size() - 8, 8, "-key.pem") == 0) {
      if (!(keys[n] = parse_key(text[n])))
        return where + n + " is not a PEM private key (corrupt PKI)";
    } else if (!(certs[n] = parse_cert(text[n]))) {
      return where + n + " is not a PEM certificate (corrupt PKI)";
    }
  }
  for (const auto& [name, key] : keys) {
    const std::string cert = name.substr(0, name.size() - 8) + ".pem";
    if (X509_check_private_key(certs[cert].get(), key.get()) != 1) {
      ERR_clear_error();
      return where + name + " is not the private key of " + cert + " (corrupt PKI)";
    }
  }
  auto signed_by = [&](const char* child, const char* parent) {
    bool ok = X509_verify(certs[child].get(), X509_get0_pubkey(certs[parent].get())) == 1;
    ERR_clear_error();
    return ok;
  };
  if (!signed_by("meshca-intermediate.pem", "meshca-root-1.pem"))
    return where + "meshca-intermediate.pem is not signed by meshca-root-1.pem (corrupt PKI)";
  if (inter_cert && !signed_by(kPluginCaFiles[0], "citadel-root.pem"))
    return where + kPluginCaFiles[0] + " is not signed by citadel-root.pem (corrupt PKI)";
  const std::string subject = subject_of(certs["citadel-root.pem"].get());
  if (subject != "O=" + citadel_trust_domain)
    return where + "citadel-root.pem has subject \"" + subject +
           "\", but the scenario's trust_domain \"" + citadel_trust_domain +
           "\" needs a Citadel root with subject \"O=" + citadel_trust_domain +
           "\" (simulators sharing a PKI must share the trust domain; use another --pki-dir)";

  auto pki = std::unique_ptr<MeshPki>(new MeshPki());
  pki->citadel_root_ = text["citadel-root.pem"];
  pki->citadel_root_key_ = text["citadel-root-key.pem"];
  pki->meshca_roots_ = {text["meshca-root-1.pem"], text["meshca-root-2.pem"]};
  pki->meshca_root_keys_ = {text["meshca-root-1-key.pem"], text["meshca-root-2-key.pem"]};
  pki->meshca_intermediate_ = text["meshca-intermediate.pem"];
  pki->meshca_intermediate_key_ = text["meshca-intermediate-key.pem"];
  if (plugin_ca) {
    if (inter_cert) {
      pki->citadel_intermediate_ = text[kPluginCaFiles[0]];
      pki->citadel_intermediate_key_ = text[kPluginCaFiles[1]];
    } else {
      pki->make_citadel_intermediate(citadel_trust_domain);
    }
  }
  pki->make_signers();
  pki->loaded_ = true;
  return pki;
}

std::optional<std::string> MeshPki::write_files(const std::string& dir,
                                                const std::string& bundle_json) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec)
      return "cannot create the certificate folder " + dir + ": " + ec.message();
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec)
      return "cannot restrict the certificate folder " + dir + " to its owner: " + ec.message();
  }
  std::string all_meshca;
  for (const auto& root : meshca_roots_)
    all_meshca += root;
  struct File {
    const char* name;
    const std::string* content;
    bool secret;
  };
  std::vector<File> files = {
      {"citadel-root.pem", &citadel_root_, false},
      {"citadel-root-key.pem", &citadel_root_key_, true},
      {"meshca-root-1.pem", &meshca_roots_[0], false},
      {"meshca-root-1-key.pem", &meshca_root_keys_[0], true},
      {"meshca-root-2.pem", &meshca_roots_[1], false},
      {"meshca-root-2-key.pem", &meshca_root_keys_[1], true},
      {"meshca-intermediate.pem", &meshca_intermediate_, false},
      {"meshca-intermediate-key.pem", &meshca_intermediate_key_, true},
      {"meshca-roots.pem", &all_meshca, false},
      {"spiffe_bundle.json", &bundle_json, false},
  };
  if (!citadel_intermediate_.empty()) {
    files.push_back({kPluginCaFiles[0], &citadel_intermediate_, false});
    files.push_back({kPluginCaFiles[1], &citadel_intermediate_key_, true});
  }
  for (const auto& file : files)
    if (auto error = write_one(dir, file.name, *file.content, file.secret))
      return error;
  return std::nullopt;
}

} // namespace sim::mesh
