#pragma once
// A small certificate authority for tests: real X.509 certificates (EC P-256 keys, SHA-256
// signatures, proper CA/leaf extensions) generated while the tests run, so validity windows are
// always current. Failures throw std::runtime_error: this is test scaffolding, not product code.
//
// Objects hold only PEM text; distinct objects may be used from several threads at once.

#include <string>
#include <vector>

namespace meshca::testing {

struct CertSpec {
  // Comma-separated RDNs, most significant first: "O=cluster.local" or
  // "C=US,O=Google LLC,OU=Cloud,CN=Root CA". A value may contain a comma escaped as "\,"; a piece
  // with no "KEY=" in front is also taken as part of the previous value, so the Mesh CA root CN
  // "...-07:00 K:1, 1:H52vgwEm3tc:0:18" can be written as is. Empty = empty subject.
  std::string subject;
  std::vector<std::string> uri_sans{}; // e.g. "spiffe://cluster.local/ns/default/sa/demo"
  bool is_ca = false; // issue_leaf: make CA:TRUE anyway; self_signed/issue_ca: always CA
  long not_before_offset_s = -3600; // relative to now
  long validity_s = 365L * 24 * 3600;
  std::string serial_hex{}; // empty = 128 random bits (the {} keep -Wextra quiet on {"O=x"})
};

struct IssuedCert {
  std::string cert_pem;
  std::string key_pem;   // PKCS#8 PEM
  std::string chain_pem; // cert_pem followed by the issuing CA's chain_pem (leaf to root)
};

class TestCa {
 public:
  // A self-signed root CA.
  static TestCa self_signed(const CertSpec& spec);
  // A CA from PEM text made earlier (e.g. read back from files): its certificate, its private
  // key and its issuers' certificates (direct issuer first; empty for a root). Not checked here.
  static TestCa from_pem(std::string cert_pem, std::string key_pem,
                         std::vector<std::string> issuer_pems = {});
  // An intermediate CA signed by this CA.
  TestCa issue_ca(const CertSpec& spec) const;
  // An end-entity certificate (CA:FALSE, URI SANs) signed by this CA.
  IssuedCert issue_leaf(const CertSpec& spec) const;

  const std::string& cert_pem() const { return cert_pem_; }
  const std::string& key_pem() const { return key_pem_; }
  // This CA's certificate followed by its issuers up to the root.
  std::string chain_pem() const;
  // The root of this CA's chain (this CA itself when self-signed).
  const std::string& root_pem() const;

 private:
  TestCa(std::string cert_pem, std::string key_pem, std::vector<std::string> issuers);

  std::string cert_pem_;
  std::string key_pem_;
  std::vector<std::string> issuer_pems_; // direct issuer first, root last; empty for a root
};

} // namespace meshca::testing
