#pragma once
// RAII owners for OpenSSL objects and small helpers, for the X.509 implementation files only
// (no other header includes OpenSSL).

#include <memory>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string>

namespace meshca::ssl {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;

inline void free_x509_stack(STACK_OF(X509) * stack) {
  sk_X509_free(stack);
} // no element frees
using X509StackPtr = std::unique_ptr<STACK_OF(X509), Deleter<STACK_OF(X509), free_x509_stack>>;

inline void clear_errors() {
  ERR_clear_error();
}

// The reason text of the oldest queued error ("" when none); empties the queue.
inline std::string take_error() {
  const unsigned long code = ERR_peek_error();
  std::string reason;
  if (code != 0) {
    const char* text = ERR_reason_error_string(code);
    reason = text != nullptr ? text : "error code " + std::to_string(code);
  }
  ERR_clear_error();
  return reason;
}

inline std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// RFC 2253 order and escaping, but UTF-8 text left readable instead of \XX escapes.
constexpr unsigned long kNameRfc2253 = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
constexpr unsigned long kNameOneline = XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB;

// A distinguished name as text ("" on failure).
inline std::string print_name(const X509_NAME* name, unsigned long flags) {
  BioPtr bio{BIO_new(BIO_s_mem())};
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    clear_errors();
    return {};
  }
  return bio_contents(bio.get());
}

} // namespace meshca::ssl
