#include "test_pki.h"

#include <memory>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace meshca::testing {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using IntPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME, X509_NAME_free>>;

[[noreturn]] void fail(const std::string& what) {
  std::string message = "test PKI: " + what;
  if (unsigned long code = ERR_get_error(); code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    message += ": ";
    message += buf;
  }
  ERR_clear_error();
  throw std::runtime_error(message);
}

void check(bool ok, const char* what) {
  if (!ok)
    fail(what);
}

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(' ');
  if (begin == std::string::npos)
    return {};
  return s.substr(begin, s.find_last_not_of(' ') - begin + 1);
}

// "KEY=" where KEY is an attribute short name or dotted OID.
bool starts_with_attribute(const std::string& piece) {
  const auto eq = piece.find('=');
  if (eq == std::string::npos)
    return false;
  const std::string key = trim(piece.substr(0, eq));
  if (key.empty())
    return false;
  for (char c : key) {
    const bool word =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
    if (!word)
      return false;
  }
  return true;
}

// Splits on unescaped commas; see CertSpec::subject.
std::vector<std::pair<std::string, std::string>> parse_subject(const std::string& subject) {
  std::vector<std::string> pieces{std::string{}};
  for (std::size_t i = 0; i < subject.size(); ++i) {
    if (subject[i] == '\\' && i + 1 < subject.size() && subject[i + 1] == ',') {
      pieces.back() += ',';
      ++i;
    } else if (subject[i] == ',') {
      pieces.emplace_back();
    } else {
      pieces.back() += subject[i];
    }
  }
  std::vector<std::pair<std::string, std::string>> rdns;
  for (const auto& piece : pieces) {
    if (starts_with_attribute(piece)) {
      const auto eq = piece.find('=');
      rdns.emplace_back(trim(piece.substr(0, eq)), piece.substr(eq + 1));
    } else if (!rdns.empty()) {
      rdns.back().second += "," + piece;
    } else if (!trim(piece).empty()) {
      fail("subject \"" + subject + "\" does not start with KEY=value");
    }
  }
  return rdns;
}

bool is_printable(const std::string& value) {
  for (char c : value) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view{" '()+,-./:=?"}.find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

NamePtr make_name(const std::string& subject) {
  NamePtr name{X509_NAME_new()};
  check(name != nullptr, "X509_NAME_new");
  for (const auto& [key, value] : parse_subject(subject)) {
    // An explicit string type (not MBSTRING_*) skips OpenSSL's length limits (CN <= 64), which
    // real roots such as the Mesh CA's exceed.
    const auto* bytes = reinterpret_cast<const unsigned char*>(value.c_str());
    const int type = is_printable(value) ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING;
    if (X509_NAME_add_entry_by_txt(name.get(), key.c_str(), type, bytes, -1, -1, 0) != 1)
      fail("subject attribute " + key + "=" + value);
  }
  return name;
}

KeyPtr new_key() {
  KeyPtr key{EVP_EC_gen("P-256")};
  check(key != nullptr, "EC P-256 key generation");
  return key;
}

void set_serial(X509* cert, const std::string& serial_hex) {
  BnPtr bn;
  if (serial_hex.empty()) {
    unsigned char bytes[16];
    check(RAND_bytes(bytes, sizeof bytes) == 1, "RAND_bytes");
    bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x40); // positive, 16 bytes
    bn.reset(BN_bin2bn(bytes, sizeof bytes, nullptr));
  } else {
    BIGNUM* raw = nullptr;
    if (BN_hex2bn(&raw, serial_hex.c_str()) == 0)
      fail("serial \"" + serial_hex + "\" is not hex");
    bn.reset(raw);
  }
  check(bn != nullptr, "serial number");
  IntPtr serial{BN_to_ASN1_INTEGER(bn.get(), nullptr)};
  check(serial != nullptr && X509_set_serialNumber(cert, serial.get()) == 1, "set serial");
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtPtr ext{X509V3_EXT_nconf_nid(nullptr, ctx, nid, value)};
  check(ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1, value);
}

void add_uri_sans(X509* cert, const std::vector<std::string>& uris) {
  if (uris.empty())
    return;
  NamesPtr names{GENERAL_NAMES_new()};
  check(names != nullptr, "GENERAL_NAMES_new");
  for (const auto& uri : uris) {
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    check(ia5 != nullptr && ASN1_STRING_set(ia5, uri.data(), static_cast<int>(uri.size())) == 1,
          "URI SAN");
    GENERAL_NAME* name = GENERAL_NAME_new();
    check(name != nullptr, "GENERAL_NAME_new");
    GENERAL_NAME_set0_value(name, GEN_URI, ia5);
    check(sk_GENERAL_NAME_push(names.get(), name) > 0, "push URI SAN");
  }
  check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1,
        "subjectAltName");
}

std::string to_pem(const X509* cert) {
  BioPtr bio{BIO_new(BIO_s_mem())};
  check(bio != nullptr && PEM_write_bio_X509(bio.get(), cert) == 1, "write certificate PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::string to_pem(const EVP_PKEY* key) {
  BioPtr bio{BIO_new(BIO_s_mem())};
  check(bio != nullptr &&
            PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write key PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

X509Ptr read_cert(const std::string& pem) {
  BioPtr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)};
  check(cert != nullptr, "read CA certificate");
  return cert;
}

KeyPtr read_key(const std::string& pem) {
  BioPtr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  KeyPtr key{PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)};
  check(key != nullptr, "read CA key");
  return key;
}

struct Signer {
  X509* cert; // null = self-signed
  EVP_PKEY* key;
};

// Builds and signs one certificate for `key` with the extensions of a CA or a leaf.
X509Ptr build(const CertSpec& spec, bool is_ca, EVP_PKEY* key, Signer signer) {
  X509Ptr cert{X509_new()};
  check(cert != nullptr && X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_new");
  set_serial(cert.get(), spec.serial_hex);
  const NamePtr subject = make_name(spec.subject);
  check(X509_set_subject_name(cert.get(), subject.get()) == 1, "set subject");
  X509* issuer = signer.cert != nullptr ? signer.cert : cert.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) == 1, "set issuer");
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before_offset_s) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                            spec.not_before_offset_s + spec.validity_s) != nullptr,
        "set validity");
  check(X509_set_pubkey(cert.get(), key) == 1, "set public key");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert.get(), nullptr, nullptr, 0);
  if (is_ca) {
    add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_ext(cert.get(), &ctx, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  add_uri_sans(cert.get(), spec.uri_sans);

  check(X509_sign(cert.get(), signer.key != nullptr ? signer.key : key, EVP_sha256()) > 0, "sign");
  return cert;
}

} // namespace

TestCa::TestCa(std::string cert_pem, std::string key_pem, std::vector<std::string> issuers)
    : cert_pem_(std::move(cert_pem)), key_pem_(std::move(key_pem)),
      issuer_pems_(std::move(issuers)) {}

TestCa TestCa::self_signed(const CertSpec& spec) {
  const KeyPtr key = new_key();
  const X509Ptr cert = build(spec, true, key.get(), Signer{nullptr, nullptr});
  return TestCa(to_pem(cert.get()), to_pem(key.get()), {});
}

TestCa TestCa::from_pem(std::string cert_pem, std::string key_pem,
                        std::vector<std::string> issuer_pems) {
  return TestCa(std::move(cert_pem), std::move(key_pem), std::move(issuer_pems));
}

TestCa TestCa::issue_ca(const CertSpec& spec) const {
  const X509Ptr ca_cert = read_cert(cert_pem_);
  const KeyPtr ca_key = read_key(key_pem_);
  const KeyPtr key = new_key();
  const X509Ptr cert = build(spec, true, key.get(), Signer{ca_cert.get(), ca_key.get()});
  std::vector<std::string> issuers{cert_pem_};
  issuers.insert(issuers.end(), issuer_pems_.begin(), issuer_pems_.end());
  return TestCa(to_pem(cert.get()), to_pem(key.get()), std::move(issuers));
}

IssuedCert TestCa::issue_leaf(const CertSpec& spec) const {
  const X509Ptr ca_cert = read_cert(cert_pem_);
  const KeyPtr ca_key = read_key(key_pem_);
  const KeyPtr key = new_key();
  const X509Ptr cert = build(spec, spec.is_ca, key.get(), Signer{ca_cert.get(), ca_key.get()});
  IssuedCert issued{to_pem(cert.get()), to_pem(key.get()), {}};
  issued.chain_pem = issued.cert_pem + chain_pem();
  return issued;
}

std::string TestCa::chain_pem() const {
  std::string chain = cert_pem_;
  for (const auto& pem : issuer_pems_)
    chain += pem;
  return chain;
}

const std::string& TestCa::root_pem() const {
  return issuer_pems_.empty() ? cert_pem_ : issuer_pems_.back();
}

} // namespace meshca::testing
