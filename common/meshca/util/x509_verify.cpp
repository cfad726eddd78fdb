// Certificate chain verification against a set of trusted roots.
#include "meshca/util/openssl_handles.h"
#include "meshca/util/x509.h"

#include <chrono>

namespace meshca::x509 {
namespace {

std::string describe_failure(X509_STORE_CTX* ctx) {
  std::string message = "certificate chain does not verify: ";
  message += X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  message += " (depth " + std::to_string(X509_STORE_CTX_get_error_depth(ctx));
  if (const X509* current = X509_STORE_CTX_get_current_cert(ctx))
    message += ", subject \"" + ssl::print_name(X509_get_subject_name(current), ssl::kNameRfc2253) +
               "\", issuer \"" + ssl::print_name(X509_get_issuer_name(current), ssl::kNameRfc2253) +
               "\"";
  return message + ")";
}

} // namespace

Result<std::size_t> verify_chain(const std::vector<Certificate>& chain,
                                 const std::vector<Certificate>& trusted_roots,
                                 std::optional<TimePoint> at) {
  if (chain.empty())
    return bad_input("certificate chain verification: the chain has no certificate");
  if (trusted_roots.empty())
    return bad_input("certificate chain verification: no trusted root certificate");
  ssl::clear_errors();
  ssl::StorePtr store{X509_STORE_new()};
  ssl::X509StackPtr untrusted{sk_X509_new_null()};
  ssl::StoreCtxPtr ctx{X509_STORE_CTX_new()};
  if (!store || !untrusted || !ctx)
    return cluster_error("certificate chain verification: out of memory: " + ssl::take_error());
  for (const auto& root : trusted_roots) {
    if (X509_STORE_add_cert(store.get(), root.cert_) != 1)
      return bad_input("certificate chain verification: cannot add trusted root \"" +
                       root.subject() + "\": " + ssl::take_error());
  }
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (sk_X509_push(untrusted.get(), chain[i].cert_) <= 0)
      return cluster_error("certificate chain verification: out of memory");
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), chain.front().cert_, untrusted.get()) != 1)
    return cluster_error("certificate chain verification: " + ssl::take_error());
  if (at)
    X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(*at));
  if (X509_verify_cert(ctx.get()) != 1) {
    std::string message = describe_failure(ctx.get());
    ssl::clear_errors();
    return check_failed(std::move(message));
  }
  const STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  const int depth = built != nullptr ? sk_X509_num(built) : 0;
  if (depth > 0) {
    const X509* anchor = sk_X509_value(built, depth - 1);
    for (std::size_t i = 0; i < trusted_roots.size(); ++i) {
      if (X509_cmp(trusted_roots[i].cert_, anchor) == 0)
        return i;
    }
  }
  ssl::clear_errors();
  return check_failed("certificate chain verification: the verified chain ends at a certificate "
                      "that is not one of the trusted roots");
}

} // namespace meshca::x509
