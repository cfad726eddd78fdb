#pragma once
// An output stream that keeps only the SHA-256 of what is written: a document's digest without
// holding its text (migrate's evidence hashes check-root's JSON report, tens of MB at 10,000
// pods).

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>

namespace meshca {

class Sha256Stream final : public std::ostream {
 public:
  Sha256Stream();
  ~Sha256Stream() override;
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  // The digest of everything written, as lower-case hex; "" when OpenSSL failed. Ends the stream:
  // write nothing after.
  std::string hex();

 private:
  class Digest;
  std::unique_ptr<Digest> digest_;
};

} // namespace meshca
