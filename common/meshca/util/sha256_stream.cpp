#include "meshca/util/sha256_stream.h"

#include <array>
#include <openssl/evp.h>

namespace meshca {

// The stream's buffer: every write goes to the digest as it comes (no buffer of its own).
class Sha256Stream::Digest final : public std::streambuf {
 public:
  Digest() : context_(EVP_MD_CTX_new()) {
    ok_ = context_ != nullptr && EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) == 1;
  }
  ~Digest() override { EVP_MD_CTX_free(context_); }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (!ok_ || EVP_DigestFinal_ex(context_, digest.data(), &size) != 1)
      return {};
    ok_ = false; // finished
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 0xf];
    }
    return out;
  }

 protected:
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    ok_ = ok_ && EVP_DigestUpdate(context_, data, static_cast<std::size_t>(size)) == 1;
    return size;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof()))
      return traits_type::not_eof(c);
    const char byte = traits_type::to_char_type(c);
    xsputn(&byte, 1);
    return c;
  }

 private:
  EVP_MD_CTX* context_;
  bool ok_ = false;
};

Sha256Stream::Sha256Stream() : std::ostream(nullptr), digest_(std::make_unique<Digest>()) {
  rdbuf(digest_.get());
}

Sha256Stream::~Sha256Stream() = default;

std::string Sha256Stream::hex() {
  flush();
  return digest_->hex();
}

} // namespace meshca
