#pragma once
// Fuzz entry for the X.509 readers (util/x509.h): a PEM bundle, the same bytes as DER, and every
// accessor of each certificate read, since a certificate that parses can still hold fields that
// printing or conversion trips over.

#include "fuzz_check.h"
#include "meshca/util/x509.h"

#include <chrono>
#include <string_view>
#include <vector>

namespace meshca::fuzz {

// Calls every accessor of a certificate that was read successfully and checks what must hold.
inline void exercise_certificate(const x509::Certificate& cert) {
  require(cert.fingerprint().size() == 64, "certificate fingerprint is 64 hex characters");
  require(cert.fingerprint_colons().size() == 95, "colon fingerprint is 95 characters");
  static_cast<void>(cert.subject());
  static_cast<void>(cert.subject_oneline());
  static_cast<void>(cert.issuer());
  static_cast<void>(cert.issuer_oneline());
  static_cast<void>(cert.subject_cn());
  const auto uris = cert.uri_sans();
  if (const auto id = cert.spiffe_id())
    require(id->starts_with("spiffe://"), "spiffe_id starts with spiffe://");
  // Callers subtract certificate times from each other and from now (expiry warnings).
  static_cast<void>(cert.not_after() - cert.not_before());
  static_cast<void>(cert.not_after() - std::chrono::system_clock::now());
  static_cast<void>(cert.valid_at(cert.not_before()));
  static_cast<void>(cert.is_ca());
  static_cast<void>(cert.is_self_signed());
  static_cast<void>(cert.serial_hex());
  static_cast<void>(cert.to_pem());
  // The DER a certificate was read from comes back unchanged, so it reads again the same.
  const auto again = x509::from_der(cert.to_der(), "fuzz re-read");
  require(again.ok() && *again == cert, "from_der(to_der(cert)) == cert");
}

inline Outcome x509_certificates(const std::vector<x509::Certificate>& certs) {
  for (const auto& cert : certs)
    exercise_certificate(cert);
  return Outcome::value;
}

inline Outcome pem_input(std::string_view data) {
  const auto bundle = x509::read_pem_bundle(data, "fuzz PEM input");
  const auto der = x509::from_der(data, "fuzz DER input");
  if (der.ok())
    exercise_certificate(*der);
  if (!bundle.ok())
    return der.ok() ? Outcome::value : Outcome::error;
  require(!bundle->empty(), "a PEM bundle read without error holds a certificate");
  x509_certificates(*bundle);
  // The first certificate as a chain against the last as the only root: a verdict either way.
  const std::vector<x509::Certificate> chain{bundle->front()};
  const std::vector<x509::Certificate> roots{bundle->back()};
  const auto verified = x509::verify_chain(chain, roots);
  require(!verified.ok() || *verified == 0, "verify_chain anchors in the only root given");
  require(x509::fingerprints(*bundle).size() <= bundle->size(), "fingerprint set no larger");
  return Outcome::value;
}

} // namespace meshca::fuzz
