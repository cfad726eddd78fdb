#pragma once
// Base64 (RFC 4648 §4) and base64url (§5), as found in Envoy dumps (inline_bytes) and JWKS bundles.

#include "meshca/util/result.h"

#include <string>
#include <string_view>

namespace meshca::base64 {

// Decodes standard base64. Whitespace (space, tab, CR, LF) anywhere is skipped; anything else
// outside the alphabet, a length that is not a multiple of 4, or misplaced/excess '=' is a
// bad_input error naming `what` and the offset of the problem.
Result<std::string> decode(std::string_view text, std::string_view what = "base64 data");

// Decodes base64url ('-' and '_' instead of '+' and '/'); the '=' padding may be omitted.
Result<std::string> decode_url(std::string_view text, std::string_view what = "base64url data");

// Standard base64 with padding and no line breaks.
std::string encode(std::string_view bytes);

} // namespace meshca::base64
