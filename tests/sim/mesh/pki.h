#pragma once
// The simulated mesh's certificate authorities, real X.509 made at start with TestCa:
// - Citadel: a root with subject O=<trust domain> (no CN), like istiod's self-signed root; with
//   `cacerts` (a plug-in CA) istiod signs with an intermediate under that root instead.
// - Mesh CA: two roots whose CN begins istio_v1_cloud_workload_root-signer- (subject shaped like
//   Google's), and an intermediate under the first one that signs workload certificates.
// Workload certificates are cached per (issuer, SPIFFE ID): thousands of pods share a handful of
// service accounts, so they share certificates too (like pods of one SA share an identity).

#include "mesh/ca_mode.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sim::mesh {

class MeshPki {
 public:
  // Generates every CA (a few EC key generations; milliseconds). Throws std::runtime_error when
  // OpenSSL fails (a broken environment, not a scenario error).
  MeshPki(const std::string& citadel_trust_domain, bool plugin_ca);

  // The PKI of a --pki-dir: when `dir` holds a complete PKI written by an earlier meshca-sim
  // (every file of kCaFiles), it is loaded, so simulators started with the same folder share
  // their roots, Mesh CA intermediate and SPIFFE bundle; when it holds none of them, a new one
  // is generated (write_files then stores it). With `plugin_ca` the Citadel intermediate pair
  // is loaded too when present, else generated under the loaded root. Errors (messages name
  // the folder and the file): some files missing, a file that does not parse, a key that does
  // not match its certificate, an intermediate not signed by its root, a Citadel root whose
  // subject is not O=<citadel_trust_domain>.
  static std::variant<std::unique_ptr<MeshPki>, std::string>
  open_dir(const std::string& dir, const std::string& citadel_trust_domain, bool plugin_ca);
  // Whether open_dir loaded it from files (rather than generating it).
  bool loaded() const { return loaded_; }

  // The certificates and private keys (PKCS#8) of a complete PKI in a --pki-dir.
  static constexpr const char* kCaFiles[] = {
      "citadel-root.pem",        "citadel-root-key.pem",       "meshca-root-1.pem",
      "meshca-root-1-key.pem",   "meshca-root-2.pem",          "meshca-root-2-key.pem",
      "meshca-intermediate.pem", "meshca-intermediate-key.pem"};
  // The plug-in CA (`cacerts`) intermediate pair, written only when a scenario used one.
  static constexpr const char* kPluginCaFiles[] = {"citadel-intermediate.pem",
                                                   "citadel-intermediate-key.pem"};

  const std::string& citadel_root_pem() const { return citadel_root_; }
  const std::vector<std::string>& meshca_root_pems() const { return meshca_roots_; }
  const std::string& meshca_intermediate_pem() const { return meshca_intermediate_; }

  // The ROOTCA PEM bundle a sidecar injected in `mode` by an install lacking `omitted` trusts.
  std::string trust_bundle_pem(CaMode mode, Omissions omitted = {}) const;

  // The `default` secret's chain for a workload: leaf, intermediates, and for Citadel the root
  // (what istio-agent serves). Thread-safe; generated on first use.
  std::string workload_chain_pem(Issuer issuer, const std::string& spiffe_id);

  // Data of the istio-system secrets, file name -> PEM.
  std::vector<std::pair<std::string, std::string>> cacerts_files() const;
  std::vector<std::pair<std::string, std::string>> istio_ca_secret_files() const;
  // A new self-signed root and key, as istiod's built-in CA mints when it starts without a CA
  // secret (Istio security/pkg/pki/ca/ca.go, NewSelfSignedIstioCAOptions). Not used for signing.
  std::vector<std::pair<std::string, std::string>> minted_ca_secret_files() const;

  // Writes the PKI into `dir` (created 0700 if missing): kCaFiles (keys 0600), kPluginCaFiles
  // with a plug-in CA, and the derived meshca-roots.pem (both Mesh CA roots) and
  // spiffe_bundle.json. Files already holding the same content are left alone. Returns an
  // error message on failure.
  std::optional<std::string> write_files(const std::string& dir,
                                         const std::string& bundle_json) const;

 private:
  MeshPki() = default;
  void make_citadel_intermediate(const std::string& citadel_trust_domain);
  void make_signers();
  struct Ca;
  std::shared_ptr<const Ca> citadel_signer_;
  std::shared_ptr<const Ca> meshca_signer_;
  std::string citadel_root_;
  std::string citadel_root_key_;
  std::string citadel_intermediate_; // empty without a plug-in CA
  std::string citadel_intermediate_key_;
  std::vector<std::string> meshca_roots_;
  std::vector<std::string> meshca_root_keys_;
  std::string meshca_intermediate_;
  std::string meshca_intermediate_key_;
  bool loaded_ = false;
  std::mutex mu_;
  std::map<std::pair<Issuer, std::string>, std::string> leaf_chains_;
};

} // namespace sim::mesh
