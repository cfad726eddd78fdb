#pragma once
// X.509 certificates: the one place that uses OpenSSL's certificate APIs. Errors are values;
// OpenSSL's error queue is always left empty.

#include "meshca/util/fingerprint_set.h"
#include "meshca/util/result.h"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct x509_st; // OpenSSL's X509, kept out of this header

namespace meshca::x509 {

using TimePoint = std::chrono::system_clock::time_point;

// An immutable, shared certificate. Copies share the OpenSSL object (reference counted), so
// copying is cheap and const use from several threads is safe. A moved-from Certificate may only
// be assigned to or destroyed.
class Certificate {
 public:
  Certificate(const Certificate& other);
  Certificate(Certificate&& other) noexcept;
  Certificate& operator=(const Certificate& other);
  Certificate& operator=(Certificate&& other) noexcept;
  ~Certificate();

  // SHA-256 of the DER encoding, uppercase hex without separators (64 characters); matches
  // `openssl x509 -fingerprint -sha256` with the colons removed.
  const std::string& fingerprint() const { return fingerprint_; }
  // The same with colons, "61:48:49:...", for display.
  std::string fingerprint_colons() const;

  std::string subject() const;         // RFC 2253: "CN=Root CA,O=Istio"; UTF-8 kept as is
  std::string subject_oneline() const; // OpenSSL one-line: "O = Istio, CN = Root CA"
  std::string issuer() const;          // RFC 2253
  std::string issuer_oneline() const;
  std::string subject_cn() const; // the (last) commonName, or "" when there is none

  std::vector<std::string> uri_sans() const;    // URI subjectAltNames, in certificate order
  std::optional<std::string> spiffe_id() const; // the first URI SAN that starts "spiffe://"

  // Validity bounds; dates outside 1950-2200 (such as 9999, RFC 5280's "no expiry") are clamped
  // to those years, so that TimePoint arithmetic on them cannot overflow.
  TimePoint not_before() const;
  TimePoint not_after() const;
  bool valid_at(TimePoint at) const { return not_before() <= at && at <= not_after(); }

  bool is_ca() const;          // basicConstraints CA:TRUE
  bool is_self_signed() const; // issuer name (and key ids) match its own subject
  // The serial number in uppercase hex as OpenSSL prints it (whole bytes, e.g. "0A1B").
  std::string serial_hex() const;

  std::string to_pem() const;
  std::string to_der() const;

  friend bool operator==(const Certificate& a, const Certificate& b) {
    return a.fingerprint_ == b.fingerprint_;
  }

 private:
  explicit Certificate(x509_st* owned); // takes ownership of one reference

  friend Result<std::vector<Certificate>> read_pem_bundle(std::string_view pem,
                                                          std::string_view what);
  friend Result<Certificate> from_der(std::string_view der, std::string_view what);
  friend Result<std::size_t> verify_chain(const std::vector<Certificate>& chain,
                                          const std::vector<Certificate>& trusted_roots,
                                          std::optional<TimePoint> at);

  x509_st* cert_ = nullptr;
  std::string fingerprint_;
};

// Every certificate of a PEM bundle, in order. Text outside BEGIN/END blocks is ignored (bundles
// often carry comments). Errors (bad_input, naming `what`): no certificate at all (empty input
// or garbage), a block that is not a CERTIFICATE (e.g. a private key), a damaged block or DER,
// a certificate that is not DER-encoded.
Result<std::vector<Certificate>> read_pem_bundle(std::string_view pem, std::string_view what);

// The 1-based number of the first PEM block whose END line runs into the next BEGIN line
// ("-----END CERTIFICATE----------BEGIN CERTIFICATE-----": no newline between them), nullopt
// when there is none. OpenSSL and BoringSSL reject the whole bundle on such a line ("bad end
// line"), so callers can say what is wrong instead.
std::optional<std::size_t> find_end_line_run_on(std::string_view pem);

// One DER-encoded certificate; trailing bytes are an error (bad_input, naming `what`), and so is
// an encoding that is not DER (one OpenSSL would write back differently), in PEM blocks too.
Result<Certificate> from_der(std::string_view der, std::string_view what);

// Concatenated PEM of the certificates.
std::string to_pem(const std::vector<Certificate>& certificates);

FingerprintSet fingerprints(const std::vector<Certificate>& certificates);

// Verifies `chain` (leaf first, then intermediates in any order; a trailing self-signed root is
// allowed and is trusted only if it is also in `trusted_roots`) against `trusted_roots`, at
// time `at` (default: now). Returns the index in `trusted_roots` of the anchor of the verified
// chain. Failure is check_failed with OpenSSL's reason, the depth and the subject of the
// certificate concerned, e.g. "certificate chain does not verify: certificate has expired
// (depth 0, subject \"O=Istio\")"; an empty chain or root list is bad_input.
Result<std::size_t> verify_chain(const std::vector<Certificate>& chain,
                                 const std::vector<Certificate>& trusted_roots,
                                 std::optional<TimePoint> at = {});

} // namespace meshca::x509
