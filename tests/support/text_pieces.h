#pragma once
// A text handed out in pieces of a fixed size, as an answer arrives over a connection: for the
// readers that parse as they receive (util/chunk_source.h).

#include "meshca/util/chunk_source.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace meshca::testing {

class TextPieces final : public ChunkSource {
 public:
  enum class EmptyBetween { no, yes }; // an empty piece before each, which readers must skip

  TextPieces(std::string text, std::size_t size, EmptyBetween empty = EmptyBetween::no)
      : text_(std::move(text)), size_(size), empty_between_(empty == EmptyBetween::yes) {}

  std::optional<std::string_view> next() override {
    if (at_ >= text_.size())
      return std::nullopt;
    if (empty_between_) {
      empty_next_ = !empty_next_;
      if (empty_next_)
        return std::string_view();
    }
    const std::string_view piece = std::string_view(text_).substr(at_, size_);
    at_ += piece.size();
    return piece;
  }

 private:
  std::string text_;
  std::size_t size_;
  bool empty_between_;
  bool empty_next_ = false;
  std::size_t at_ = 0;
};

} // namespace meshca::testing
