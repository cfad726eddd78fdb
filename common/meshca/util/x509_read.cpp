// Reading certificates: PEM bundles and DER.
#include "meshca/util/openssl_handles.h"
#include "meshca/util/x509.h"

#include <climits>
#include <cstring>
#include <openssl/pem.h>

namespace meshca::x509 {
namespace {

// One PEM block as PEM_read_bio returns it, freed on scope exit.
struct PemBlock {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long size = 0;
  PemBlock() = default;
  PemBlock(const PemBlock&) = delete;
  PemBlock& operator=(const PemBlock&) = delete;
  ~PemBlock() {
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
};

Error pem_error(std::string_view what, std::size_t block, const std::string& problem) {
  return bad_input(std::string(what) + ": invalid PEM: certificate block " + std::to_string(block) +
                   ": " + problem);
}

bool is_certificate_label(const char* name) {
  return std::strcmp(name, PEM_STRING_X509) == 0 || std::strcmp(name, PEM_STRING_X509_OLD) == 0;
}

// True when OpenSSL writes the certificate back as exactly these bytes. d2i_X509 accepts some
// encodings that are not DER (BER lengths, odd tags in the signature algorithm's parameters) and
// re-encodes them differently, sometimes into bytes it then refuses to read. Envoy's BoringSSL
// accepts DER only, and the fingerprint is of the re-encoding, so such input is rejected.
bool reencodes_unchanged(X509* cert, const unsigned char* der, std::size_t size) {
  unsigned char* out = nullptr;
  const int length = i2d_X509(cert, &out);
  const bool same =
      length >= 0 && static_cast<std::size_t>(length) == size && std::memcmp(out, der, size) == 0;
  OPENSSL_free(out);
  ssl::clear_errors();
  return same;
}

constexpr std::string_view kNotDer =
    "not DER-encoded (OpenSSL re-encodes it differently; certificates must be DER, RFC 5280 "
    "section 4.1)";

constexpr std::string_view kEndMarker = "-----END ";
constexpr std::string_view kBeginMarker = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";

} // namespace

std::optional<std::size_t> find_end_line_run_on(std::string_view pem) {
  std::size_t block = 0;
  for (auto end = pem.find(kEndMarker); end != std::string_view::npos;
       end = pem.find(kEndMarker, end + kEndMarker.size())) {
    ++block;
    // The END line's own closing dashes, then the rest of that line.
    const auto close = pem.find(kDashes, end + kEndMarker.size());
    if (close == std::string_view::npos)
      return std::nullopt;
    const auto rest_begin = close + kDashes.size();
    const auto line_end = pem.find('\n', rest_begin);
    const std::string_view rest =
        pem.substr(rest_begin, line_end == std::string_view::npos ? std::string_view::npos
                                                                  : line_end - rest_begin);
    if (rest.find(kBeginMarker) != std::string_view::npos)
      return block;
  }
  return std::nullopt;
}

Result<std::vector<Certificate>> read_pem_bundle(std::string_view pem, std::string_view what) {
  if (pem.size() > static_cast<std::size_t>(INT_MAX))
    return bad_input(std::string(what) + ": PEM input too large");
  // Said plainly here: OpenSSL's own message for it is only "bad end line".
  if (const auto block = find_end_line_run_on(pem))
    return pem_error(what, *block,
                     "its END line runs into the next BEGIN line (no newline between them); "
                     "put each -----BEGIN on a line of its own");
  ssl::clear_errors();
  ssl::BioPtr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  if (!bio)
    return bad_input(std::string(what) + ": out of memory reading PEM: " + ssl::take_error());
  std::vector<Certificate> certificates;
  for (std::size_t index = 1;; ++index) {
    PemBlock block;
    if (PEM_read_bio(bio.get(), &block.name, &block.header, &block.data, &block.size) != 1) {
      const unsigned long code = ERR_peek_last_error();
      const bool end =
          ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
      if (!end)
        return pem_error(what, index, ssl::take_error());
      ssl::clear_errors();
      break;
    }
    if (!is_certificate_label(block.name))
      return pem_error(what, index,
                       std::string("is a \"") + block.name +
                           "\" block, expected \"" PEM_STRING_X509 "\"");
    const unsigned char* cursor = block.data;
    ssl::X509Ptr cert{d2i_X509(nullptr, &cursor, block.size)};
    if (!cert)
      return pem_error(what, index, "not a valid X.509 certificate: " + ssl::take_error());
    if (cursor != block.data + block.size)
      return pem_error(what, index, "unexpected bytes after the certificate");
    if (!reencodes_unchanged(cert.get(), block.data, static_cast<std::size_t>(block.size)))
      return pem_error(what, index, std::string(kNotDer));
    certificates.push_back(Certificate(cert.release()));
  }
  if (certificates.empty())
    return bad_input(
        std::string(what) +
        ": no certificate found (expected PEM \"-----BEGIN CERTIFICATE-----\" blocks)");
  return certificates;
}

Result<Certificate> from_der(std::string_view der, std::string_view what) {
  if (der.empty())
    return bad_input(std::string(what) + ": empty DER certificate");
  if (der.size() > static_cast<std::size_t>(LONG_MAX))
    return bad_input(std::string(what) + ": DER input too large");
  ssl::clear_errors();
  const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* cursor = begin;
  ssl::X509Ptr cert{d2i_X509(nullptr, &cursor, static_cast<long>(der.size()))};
  if (!cert)
    return bad_input(std::string(what) +
                     ": not a valid DER X.509 certificate: " + ssl::take_error());
  if (cursor != begin + der.size())
    return bad_input(std::string(what) + ": " + std::to_string(begin + der.size() - cursor) +
                     " unexpected bytes after the DER certificate");
  if (!reencodes_unchanged(cert.get(), begin, der.size()))
    return bad_input(std::string(what) + ": " + std::string(kNotDer));
  return Certificate(cert.release());
}

} // namespace meshca::x509
