// The digest of what is written (util/sha256_stream.h): FIPS 180-2's test vectors, and the same
// digest however the text is cut into writes.

#include "meshca/util/sha256_stream.h"

#include <doctest/doctest.h>
#include <string>

using meshca::Sha256Stream;

namespace {

std::string digest_of(const std::string& text, std::size_t piece) {
  Sha256Stream stream;
  for (std::size_t at = 0; at < text.size(); at += piece)
    stream << text.substr(at, piece);
  return stream.hex();
}

} // namespace

TEST_CASE("a SHA-256 stream gives the standard digests") {
  CHECK(digest_of("", 1) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(digest_of("abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("a SHA-256 stream's digest does not depend on how the text is written") {
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += std::to_string(i) + (i % 7 == 0 ? "\n" : ",");
  const std::string whole = digest_of(text, text.size());
  for (std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{64}, std::size_t{65536}})
    CHECK(digest_of(text, piece) == whole);
  Sha256Stream characters; // put() goes through overflow(), one character at a time
  for (char c : text)
    characters.put(c);
  CHECK(characters.hex() == whole);
}
