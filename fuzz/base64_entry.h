#pragma once
// Fuzz entry for base64 (util/base64.h): both alphabets, and the round trip through encode().

#include "fuzz_check.h"
#include "meshca/util/base64.h"

#include <string_view>

namespace meshca::fuzz {

inline Outcome base64_input(std::string_view data) {
  // Any bytes encode, and decode back to themselves.
  const std::string encoded = base64::encode(data);
  const auto back = base64::decode(encoded);
  require(back.ok() && *back == data, "base64 decode(encode(x)) == x");

  const auto url = base64::decode_url(data);
  const auto standard = base64::decode(data);
  if (standard.ok()) {
    // A valid standard text re-encodes to the same bytes (modulo whitespace and line breaks).
    const auto again = base64::decode(base64::encode(*standard));
    require(again.ok() && *again == *standard, "base64 decode(encode(decode(x))) == decode(x)");
    require(standard->size() <= data.size() / 4 * 3 + 3, "base64 output no longer than 3/4 input");
  } else {
    require(!standard.error().message.empty(), "base64 error has a message");
  }
  return url.ok() || standard.ok() ? Outcome::value : Outcome::error;
}

} // namespace meshca::fuzz
