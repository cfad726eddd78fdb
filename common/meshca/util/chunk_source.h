#pragma once
// A byte stream read piece by piece (an answer as it arrives), so a reader can parse and drop it
// instead of holding it whole; and the RapidJSON input stream over one.

#include "meshca/util/json_scan.h"

#include <cstddef>
#include <cstring>
#include <optional>
#include <rapidjson/reader.h>
#include <string>
#include <string_view>

namespace meshca {

class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  // The next piece, valid until the next call; nullopt at the end. Blocks until one is there.
  virtual std::optional<std::string_view> next() = 0;

 protected:
  ChunkSource() = default;
  ChunkSource(const ChunkSource&) = default;
  ChunkSource& operator=(const ChunkSource&) = default;
};

// A text already in memory, as one piece.
class WholeText final : public ChunkSource {
 public:
  explicit WholeText(std::string_view text) : text_(text) {}
  std::optional<std::string_view> next() override;

 private:
  std::string_view text_;
  bool given_ = false;
};

// RapidJSON's input stream concept (rapidjson/stream.h) over a ChunkSource, for an in-situ parse
// (kParseInsituFlag): strings are unescaped in place and handed to the handler without a copy,
// valid until the handler returns.
//
// The stream keeps one piece at a time and shows the parser only whole lines of it: a line end
// never falls inside a JSON string (it would be escaped), so no string spans two buffers and the
// buffer can be refilled whenever the parser reaches its end. Config dumps are indented, one
// value per line; a document with no line ends is held whole, as a whole-text parse would.
// Stops at `max_bytes`: the stream then ends early (the parse fails) and over_limit() says why.
class JsonChunkStream {
 public:
  using Ch = char;

  JsonChunkStream(ChunkSource& source, std::size_t max_bytes)
      : source_(&source), max_bytes_(max_bytes) {}

  // What is shown ends in a NUL (the byte there is put back at the refill), so the common path
  // tests only the byte it reads. A NUL inside the text ends the parse, as in a whole-text one.
  RAPIDJSON_FORCEINLINE Ch Peek() const {
    const Ch c = *at_;
    if (RAPIDJSON_UNLIKELY(c == '\0'))
      return at_ == end_ && refill() ? *at_ : '\0';
    return c;
  }
  RAPIDJSON_FORCEINLINE Ch Take() {
    const Ch c = Peek();
    if (RAPIDJSON_LIKELY(c != '\0'))
      ++at_;
    return c;
  }
  std::size_t Tell() const { return before_ + static_cast<std::size_t>(at_ - shown_); }

  // In-situ writing: an unescaped string goes over its own bytes (never past the read position).
  Ch* PutBegin() { return put_ = at_; }
  void Put(Ch c) { *put_++ = c; }
  void Flush() {}
  std::size_t PutEnd(Ch* begin) { return static_cast<std::size_t>(put_ - begin); }

  bool over_limit() const { return over_limit_; }
  // Whether every byte was read: false after a parse that stopped at a NUL byte, which the
  // parser cannot tell from the end.
  bool at_end() const { return at_ == end_ && !refill(); }

  // Moves past spaces, tabs and line ends a buffer at a time (config dumps are indented: about
  // a third of their bytes are spaces), for rapidjson::SkipWhitespace.
  void skip_whitespace() {
    while (true) {
      at_ = const_cast<char*>(json_scan::skip_space(at_));
      if (at_ != end_ || !refill())
        return;
    }
  }

  // Moves along a string being parsed up to its closing quote, an escape or a control byte,
  // moving the bytes down to the write position once an escape has put it behind; for
  // RapidJSON's ScanCopyUnescapedString (below), which leaves the rest to the parser.
  void scan_plain_run() {
    const char* stop = json_scan::plain_run_end(at_);
    const auto length = static_cast<std::size_t>(stop - at_);
    if (put_ != at_)
      std::memmove(put_, at_, length);
    put_ += length;
    at_ += length;
  }

 private:
  // Shows the next whole lines (or the rest, at the end); false at the end or past the limit.
  bool refill() const;

  ChunkSource* source_;
  std::size_t max_bytes_;
  // Peek() is const in the concept, yet reading the next piece moves the stream on.
  // The lines shown, then a partial line read ahead (filled_ bytes in all), then
  // json_scan::kPadding bytes, so a scan may read 16 bytes from any byte up to the NUL.
  mutable std::string buffer_;
  mutable std::size_t filled_ = 0;
  mutable char* shown_ = nullptr;  // where what is shown starts; null before the first refill
  mutable char* at_ = kEmpty;      // the read position
  mutable char* end_ = kEmpty;     // the end of what is shown, where the NUL is
  mutable char under_end_ = '\0';  // the byte the NUL covers
  mutable std::size_t before_ = 0; // bytes shown before shown_
  mutable std::size_t read_ = 0;   // bytes taken from the source
  mutable bool source_done_ = false;
  mutable bool over_limit_ = false;
  Ch* put_ = nullptr;
  // What is shown before the first refill: a NUL and its padding (never written).
  static inline char kEmpty[json_scan::kPadding] = {};
};

} // namespace meshca

namespace rapidjson {
template <>
inline void SkipWhitespace(meshca::JsonChunkStream& is) {
  is.skip_whitespace();
}

// RapidJSON's own fast string scans are for its in-memory streams only; this one is for the chunk
// stream (an explicit specialization of the reader's no-op default, used in place of it).
template <>
template <>
inline void
GenericReader<UTF8<>, UTF8<>, CrtAllocator>::ScanCopyUnescapedString(meshca::JsonChunkStream& is,
                                                                     meshca::JsonChunkStream& os) {
  RAPIDJSON_ASSERT(&is == &os);
  (void)os;
  is.scan_plain_run();
}
} // namespace rapidjson
