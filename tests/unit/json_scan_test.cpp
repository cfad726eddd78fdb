// The scans under the streamed JSON parse (util/json_scan.h): the 16-byte and the byte-at-a-time
// forms stop at the same byte for every run length and stop byte, wherever the run starts.

#include "meshca/util/json_scan.h"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace meshca::json_scan;

namespace {

// `run` then `stop`, then the padding a scan may read, at `offset` bytes into a buffer (so the
// 16-byte loads fall at every alignment).
struct Text {
  std::string buffer;
  std::size_t start;

  Text(const std::string& run, char stop, std::size_t offset)
      : buffer(std::string(offset, 'x') + run + stop + std::string(kPadding, '\0')), start(offset) {
  }
  const char* begin() const { return buffer.data() + start; }
  std::size_t index(const char* at) const { return static_cast<std::size_t>(at - begin()); }
};

std::string repeated(const std::string& unit, std::size_t length) {
  std::string text;
  while (text.size() < length)
    text += unit;
  text.resize(length);
  return text;
}

} // namespace

TEST_CASE("skip_space stops at the first byte that is no space, tab or line end") {
  const std::vector<std::string> units = {" ", "\n", "\r\n", "\t", "\n  ", " \t\r\n"};
  const std::vector<char> stops = {'"', '{', '}', ']', '0', 'n', '\0', '\x01', '\x80', '\xff'};
  for (const auto& unit : units)
    for (std::size_t length = 0; length <= 40; ++length)
      for (char stop : stops)
        for (std::size_t offset = 0; offset < 16; offset += 5) {
          const Text text(repeated(unit, length), stop, offset);
          CAPTURE(length);
          CAPTURE(static_cast<int>(stop));
          CHECK(text.index(skip_space(text.begin())) == length);
          CHECK(text.index(skip_space_bytewise(text.begin())) == length);
#if defined(__SSE2__)
          if (length > 0) // skip_space reads the first byte itself
            CHECK(text.index(skip_space_sse2(text.begin())) == length);
#endif
        }
}

TEST_CASE("plain_run_end stops at a quote, a backslash or a control byte, and nowhere else") {
  // Bytes a string's plain run may hold: printable ASCII, UTF-8 sequences, DEL, and the space.
  const std::vector<std::string> units = {
      "a", "spiffe://cluster.local/ns/", "\xc3\xa9", "\x7f", " ", "\xe2\x82\xac/x"};
  const std::vector<char> stops = {'"', '\\', '\0', '\n', '\r', '\t', '\x1f', '\x01'};
  for (const auto& unit : units)
    for (std::size_t length = 0; length <= 40; ++length)
      for (char stop : stops)
        for (std::size_t offset = 0; offset < 16; offset += 3) {
          const Text text(repeated(unit, length), stop, offset);
          CAPTURE(length);
          CAPTURE(static_cast<int>(stop));
          CHECK(text.index(plain_run_end(text.begin())) == length);
          CHECK(text.index(plain_run_end_bytewise(text.begin())) == length);
        }
}

TEST_CASE("a scan stops at the first stop byte when several follow") {
  const Text spaces("   \n ", 'a', 3);
  CHECK(std::string(skip_space(spaces.begin()), 1) == "a");
  const std::string run = "abc";
  std::string text = run + "\"\\\n" + std::string(kPadding, '\0');
  CHECK(plain_run_end(text.data()) == text.data() + 3);
  text = "abc\\\"" + std::string(kPadding, '\0');
  CHECK(plain_run_end(text.data()) == text.data() + 3);
}
