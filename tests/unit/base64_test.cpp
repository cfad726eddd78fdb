#include "meshca/util/base64.h"

#include <doctest/doctest.h>
#include <string>

using namespace meshca;

TEST_CASE("base64 round-trips every tail length") {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes += static_cast<char>(i * 37 + 11);
    const auto decoded = base64::decode(base64::encode(bytes));
    REQUIRE(decoded.ok());
    CHECK(*decoded == bytes);
  }
}

TEST_CASE("base64 known vectors (RFC 4648 section 10)") {
  CHECK(base64::encode("") == "");
  CHECK(base64::encode("f") == "Zg==");
  CHECK(base64::encode("fo") == "Zm8=");
  CHECK(base64::encode("foo") == "Zm9v");
  CHECK(base64::encode("foobar") == "Zm9vYmFy");
  CHECK(*base64::decode("Zm9vYg==") == "foob");
  CHECK(*base64::decode("Zm9vYmE=") == "fooba");
  CHECK(*base64::decode("") == "");
  // Envoy's redacted private key.
  CHECK(*base64::decode("W3JlZGFjdGVkXQ==") == "[redacted]");
}

TEST_CASE("base64 decode skips whitespace and line breaks") {
  CHECK(*base64::decode(" Zm9v\r\nYmFy\n") == "foobar");
  CHECK(*base64::decode("Zm\t9v YmE=\n") == "fooba");
}

TEST_CASE("base64 decode rejects bad characters with their offset") {
  const auto result = base64::decode("Zm9v*mFy", "trusted_ca.inline_bytes");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().status == ExitStatus::bad_input);
  CHECK(result.error().message ==
        "trusted_ca.inline_bytes: invalid base64: unexpected character '*' at offset 4");
  CHECK_FALSE(base64::decode("Zm9v-_==").ok()); // base64url characters
  CHECK(base64::decode(std::string("Zm9v\0mFy", 8)).error().message.find("byte 0x00") !=
        std::string::npos);
}

TEST_CASE("base64 decode rejects bad padding and truncation") {
  CHECK_FALSE(base64::decode("Zm9vYg").ok());    // missing padding
  CHECK_FALSE(base64::decode("Zm9vYg=").ok());   // short padding
  CHECK_FALSE(base64::decode("Zm9vY===").ok());  // '=' after one character of a group
  CHECK_FALSE(base64::decode("Zm9v=").ok());     // '=' on a group boundary
  CHECK_FALSE(base64::decode("Zm9vYmE==").ok()); // too much padding
  CHECK_FALSE(base64::decode("Zg==Zg==").ok());  // data after padding
  CHECK_FALSE(base64::decode("Zm9vY").ok());     // lone final character
  CHECK_FALSE(base64::decode("====").ok());
}

TEST_CASE("base64url decode accepts the URL alphabet with or without padding") {
  CHECK(*base64::decode_url("-_8") == "\xfb\xff");
  CHECK(*base64::decode_url("-_8=") == "\xfb\xff");
  CHECK(*base64::decode_url("AQAB") == std::string("\x01\x00\x01", 3)); // JWKS "e"
  CHECK_FALSE(base64::decode_url("+/8=").ok());
  CHECK_FALSE(base64::decode_url("AQA==").ok());
  CHECK_FALSE(base64::decode_url("A").ok());
}
