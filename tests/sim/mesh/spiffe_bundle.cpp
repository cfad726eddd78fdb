#include "mesh/spiffe_bundle.h"

#include "mesh/json_text.h"

#include <memory>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdexcept>

namespace sim::mesh {

namespace {
struct Free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

std::string bn_bytes(const BIGNUM* bn, int pad_to) {
  int size = std::max(BN_num_bytes(bn), pad_to);
  std::string out(static_cast<std::size_t>(size), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size);
  return out;
}

std::string bn_param(const EVP_PKEY* key, const char* name, int pad_to) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1)
    throw std::runtime_error(std::string("no key parameter ") + name);
  Owned<BIGNUM> bn(raw);
  return bn_bytes(bn.get(), pad_to);
}

Json jwk(const std::string& pem) {
  Owned<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Owned<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert)
    throw std::runtime_error("spiffe bundle: a root certificate does not parse");
  int der_len = i2d_X509(cert.get(), nullptr);
  std::string der(static_cast<std::size_t>(der_len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert.get(), &out);
  const EVP_PKEY* key = X509_get0_pubkey(cert.get());
  Json x5c = arr({str(base64(der))});
  if (EVP_PKEY_is_a(key, "RSA"))
    return obj({{"kty", str("RSA")},
                {"use", str("x509-svid")},
                {"n", str(base64url(bn_param(key, OSSL_PKEY_PARAM_RSA_N, 0)))},
                {"e", str(base64url(bn_param(key, OSSL_PKEY_PARAM_RSA_E, 0)))},
                {"x5c", x5c}});
  if (EVP_PKEY_is_a(key, "EC")) {
    int bytes = (EVP_PKEY_get_bits(key) + 7) / 8;
    std::string crv = bytes == 48 ? "P-384" : bytes == 66 ? "P-521" : "P-256";
    return obj({{"kty", str("EC")},
                {"use", str("x509-svid")},
                {"crv", str(crv)},
                {"x", str(base64url(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, bytes)))},
                {"y", str(base64url(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, bytes)))},
                {"x5c", x5c}});
  }
  throw std::runtime_error("spiffe bundle: unsupported root key type");
}
} // namespace

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64url(const std::string& bytes) {
  std::string out = base64(bytes);
  while (!out.empty() && out.back() == '=')
    out.pop_back();
  for (char& c : out) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return out;
}

std::string spiffe_bundle_json(const std::vector<std::string>& root_pems, int sequence,
                               int refresh_hint_s) {
  std::vector<Json> keys;
  for (const auto& pem : root_pems)
    keys.push_back(jwk(pem));
  Json doc = obj({{"spiffe_sequence", num(sequence)},
                  {"spiffe_refresh_hint", num(refresh_hint_s)},
                  {"keys", arr(keys)}});
  return pretty(doc.text) + "\n";
}

} // namespace sim::mesh
