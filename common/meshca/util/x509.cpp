#include "meshca/util/x509.h"

#include "meshca/util/openssl_handles.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <utility>

namespace meshca::x509 {
namespace {

constexpr std::string_view kHex = "0123456789ABCDEF";

std::string sha256_fingerprint(const X509* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (X509_digest(cert, EVP_sha256(), digest.data(), &size) != 1) {
    ssl::clear_errors();
    return {};
  }
  std::string hex;
  hex.reserve(std::size_t{size} * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

TimePoint to_time_point(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    ssl::clear_errors();
    return {};
  }
  using namespace std::chrono;
  const year_month_day date{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                            day{static_cast<unsigned>(tm.tm_mday)}};
  const seconds since_epoch =
      (sys_days{date} + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec})
          .time_since_epoch();
  // TimePoint counts nanoseconds, so it spans only 1678-2262; certificates may say 0000-9999
  // (99991231235959Z is RFC 5280's "no expiry"). Clamp to 1950-2200 so the conversion cannot
  // overflow, nor can the difference of two certificate times (at most 250 years).
  constexpr seconds kEarliest = sys_days{year{1950} / January / 1}.time_since_epoch();
  constexpr seconds kLatest = sys_days{year{2200} / January / 1}.time_since_epoch();
  return TimePoint{duration_cast<TimePoint::duration>(std::clamp(since_epoch, kEarliest, kLatest))};
}

} // namespace

Certificate::Certificate(x509_st* owned) : cert_(owned), fingerprint_(sha256_fingerprint(owned)) {}

Certificate::Certificate(const Certificate& other)
    : cert_(other.cert_), fingerprint_(other.fingerprint_) {
  if (cert_ != nullptr)
    X509_up_ref(cert_);
}

Certificate::Certificate(Certificate&& other) noexcept
    : cert_(std::exchange(other.cert_, nullptr)), fingerprint_(std::move(other.fingerprint_)) {}

Certificate& Certificate::operator=(const Certificate& other) {
  Certificate copy(other);
  return *this = std::move(copy);
}

Certificate& Certificate::operator=(Certificate&& other) noexcept {
  if (this != &other) {
    X509_free(cert_);
    cert_ = std::exchange(other.cert_, nullptr);
    fingerprint_ = std::move(other.fingerprint_);
  }
  return *this;
}

Certificate::~Certificate() {
  X509_free(cert_);
}

std::string Certificate::fingerprint_colons() const {
  std::string out;
  for (std::size_t i = 0; i < fingerprint_.size(); i += 2) {
    if (i > 0)
      out += ':';
    out += fingerprint_.substr(i, 2);
  }
  return out;
}

std::string Certificate::subject() const {
  return ssl::print_name(X509_get_subject_name(cert_), ssl::kNameRfc2253);
}
std::string Certificate::subject_oneline() const {
  return ssl::print_name(X509_get_subject_name(cert_), ssl::kNameOneline);
}
std::string Certificate::issuer() const {
  return ssl::print_name(X509_get_issuer_name(cert_), ssl::kNameRfc2253);
}
std::string Certificate::issuer_oneline() const {
  return ssl::print_name(X509_get_issuer_name(cert_), ssl::kNameOneline);
}

std::string Certificate::subject_cn() const {
  const X509_NAME* name = X509_get_subject_name(cert_);
  int index = -1;
  for (int next = -1; (next = X509_NAME_get_index_by_NID(name, NID_commonName, next)) >= 0;)
    index = next;
  if (index < 0)
    return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, data);
  if (size < 0) {
    ssl::clear_errors();
    return {};
  }
  std::string cn(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(size));
  OPENSSL_free(utf8);
  return cn;
}

std::vector<std::string> Certificate::uri_sans() const {
  std::vector<std::string> uris;
  ssl::GeneralNamesPtr names{
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert_, NID_subject_alt_name, nullptr, nullptr))};
  ssl::clear_errors(); // a missing or unreadable extension is "no SANs"
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI)
      continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      static_cast<std::size_t>(ASN1_STRING_length(uri)));
  }
  return uris;
}

std::optional<std::string> Certificate::spiffe_id() const {
  for (auto& uri : uri_sans()) {
    if (uri.starts_with("spiffe://"))
      return std::move(uri);
  }
  return std::nullopt;
}

TimePoint Certificate::not_before() const {
  return to_time_point(X509_get0_notBefore(cert_));
}
TimePoint Certificate::not_after() const {
  return to_time_point(X509_get0_notAfter(cert_));
}

bool Certificate::is_ca() const {
  return (X509_get_extension_flags(cert_) & EXFLAG_CA) != 0; // set by basicConstraints CA:TRUE
}

bool Certificate::is_self_signed() const {
  const bool self = X509_self_signed(cert_, 0) == 1;
  ssl::clear_errors();
  return self;
}

std::string Certificate::serial_hex() const {
  ssl::BignumPtr bn{ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_), nullptr)};
  char* hex = bn ? BN_bn2hex(bn.get()) : nullptr;
  if (hex == nullptr) {
    ssl::clear_errors();
    return {};
  }
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

std::string Certificate::to_pem() const {
  ssl::BioPtr bio{BIO_new(BIO_s_mem())};
  if (!bio || PEM_write_bio_X509(bio.get(), cert_) != 1) {
    ssl::clear_errors();
    return {};
  }
  return ssl::bio_contents(bio.get());
}

std::string Certificate::to_der() const {
  unsigned char* der = nullptr;
  const int size = i2d_X509(cert_, &der);
  if (size < 0) {
    ssl::clear_errors();
    return {};
  }
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  return out;
}

std::string to_pem(const std::vector<Certificate>& certificates) {
  std::string pem;
  for (const auto& cert : certificates)
    pem += cert.to_pem();
  return pem;
}

FingerprintSet fingerprints(const std::vector<Certificate>& certificates) {
  FingerprintSet set;
  for (const auto& cert : certificates)
    set.insert(cert.fingerprint());
  return set;
}

} // namespace meshca::x509
