#pragma once
// A byte stream read piece by piece (an answer as it arrives), so a reader can parse and drop it
// instead of holding it whole; and the RapidJSON input stream over one.

#include <cstddef>
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
      while (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t')
        ++at_;
      if (at_ != end_ || !refill())
        return;
    }
  }

 private:
  // Shows the next whole lines (or the rest, at the end); false at the end or past the limit.
  bool refill() const;

  ChunkSource* source_;
  std::size_t max_bytes_;
  // Peek() is const in the concept, yet reading the next piece moves the stream on.
  mutable std::string buffer_;     // the lines shown, then a partial line read ahead
  mutable char* shown_ = nullptr;  // where what is shown starts; null before the first refill
  mutable char* at_ = &kEmpty;     // the read position
  mutable char* end_ = &kEmpty;    // the end of what is shown, where the NUL is
  mutable char under_end_ = '\0';  // the byte the NUL covers
  mutable std::size_t before_ = 0; // bytes shown before shown_
  mutable std::size_t read_ = 0;   // bytes taken from the source
  mutable bool source_done_ = false;
  mutable bool over_limit_ = false;
  Ch* put_ = nullptr;
  static inline char kEmpty = '\0'; // what is shown before the first refill (never written)
};

} // namespace meshca

namespace rapidjson {
template <>
inline void SkipWhitespace(meshca::JsonChunkStream& is) {
  is.skip_whitespace();
}
} // namespace rapidjson
