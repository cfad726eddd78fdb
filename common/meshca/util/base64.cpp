#include "meshca/util/base64.h"

#include <array>
#include <cstdint>

namespace meshca::base64 {
namespace {

constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

enum class Alphabet { standard, url };
enum class Padding { required, optional };

constexpr int kInvalid = -1;

std::array<int, 256> make_table(Alphabet alphabet) {
  std::array<int, 256> table{};
  table.fill(kInvalid);
  for (std::size_t i = 0; i < kStdAlphabet.size(); ++i)
    table[static_cast<unsigned char>(kStdAlphabet[i])] = static_cast<int>(i);
  if (alphabet == Alphabet::url) {
    table['+'] = kInvalid;
    table['/'] = kInvalid;
    table['-'] = 62;
    table['_'] = 63;
  }
  return table;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

Error fail(std::string_view what, std::string_view problem, std::size_t offset) {
  return bad_input(std::string(what) + ": invalid base64: " + std::string(problem) + " at offset " +
                   std::to_string(offset));
}

std::string describe(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f)
    return std::string("unexpected character '") + c + "'";
  constexpr std::string_view hex = "0123456789ABCDEF";
  return std::string("unexpected byte 0x") + hex[byte >> 4] + hex[byte & 0xf];
}

Result<std::string> decode_with(std::string_view text, std::string_view what,
                                const std::array<int, 256>& table, Padding padding) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  std::uint32_t bits = 0;
  std::size_t symbols = 0; // alphabet characters seen
  std::size_t pads = 0;    // '=' seen
  std::size_t last_offset = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_space(c))
      continue;
    last_offset = i;
    if (c == '=') {
      if (++pads > 2 || symbols % 4 < 2)
        return fail(what, "misplaced '='", i);
      continue;
    }
    const int value = table[static_cast<unsigned char>(c)];
    if (value == kInvalid)
      return fail(what, describe(c), i);
    if (pads > 0)
      return fail(what, "data after '=' padding", i);
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    if (++symbols % 4 == 0) {
      out += static_cast<char>((bits >> 16) & 0xff);
      out += static_cast<char>((bits >> 8) & 0xff);
      out += static_cast<char>(bits & 0xff);
      bits = 0;
    }
  }
  const std::size_t tail = symbols % 4;
  if (tail == 1)
    return fail(what, "truncated input (a lone final character)", last_offset);
  if (tail != 0) {
    const bool padded = tail + pads == 4;
    if (!padded && pads != 0)
      return fail(what, "wrong amount of '=' padding", last_offset);
    if (!padded && padding == Padding::required)
      return fail(what, "missing '=' padding", text.size());
    if (tail == 2) {
      out += static_cast<char>((bits >> 4) & 0xff);
    } else {
      out += static_cast<char>((bits >> 10) & 0xff);
      out += static_cast<char>((bits >> 2) & 0xff);
    }
  } else if (pads != 0) {
    return fail(what, "misplaced '='", last_offset);
  }
  return out;
}

} // namespace

Result<std::string> decode(std::string_view text, std::string_view what) {
  static const auto table = make_table(Alphabet::standard);
  return decode_with(text, what, table, Padding::required);
}

Result<std::string> decode_url(std::string_view text, std::string_view what) {
  static const auto table = make_table(Alphabet::url);
  return decode_with(text, what, table, Padding::optional);
}

std::string encode(std::string_view bytes) {
  const auto byte = [&](std::size_t i) {
    return i < bytes.size() ? static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) : 0U;
  };
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    const std::size_t present = bytes.size() - i; // 1, 2, or 3 and more
    out += kStdAlphabet[(n >> 18) & 63];
    out += kStdAlphabet[(n >> 12) & 63];
    out += present >= 2 ? kStdAlphabet[(n >> 6) & 63] : '=';
    out += present >= 3 ? kStdAlphabet[n & 63] : '=';
  }
  return out;
}

} // namespace meshca::base64
