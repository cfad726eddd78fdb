#include "meshca/util/chunk_source.h"

#include <cstring>

namespace meshca {

std::optional<std::string_view> WholeText::next() {
  if (given_ || text_.empty())
    return std::nullopt;
  given_ = true;
  return text_;
}

bool JsonChunkStream::refill() const {
  if (over_limit_)
    return false;
  // What was shown is read: the next lines start at its end, and go up to the last line end.
  std::size_t start = 0;
  if (shown_ != nullptr) {
    *end_ = under_end_;
    start = static_cast<std::size_t>(end_ - buffer_.data());
    before_ += static_cast<std::size_t>(end_ - shown_);
  }
  std::size_t searched = start; // buffer_'s bytes known to hold no line end
  while (true) {
    const void* line_end = memrchr(buffer_.data() + searched, '\n', filled_ - searched);
    std::size_t show = 0;
    if (line_end != nullptr)
      show =
          static_cast<std::size_t>(static_cast<const char*>(line_end) - buffer_.data()) + 1 - start;
    else if (source_done_)
      show = filled_ - start;
    if (show > 0 || source_done_) {
      shown_ = at_ = buffer_.data() + start;
      end_ = shown_ + show;
      under_end_ = *end_; // a padding byte when end_ is at filled_
      *end_ = '\0';
      return show > 0;
    }
    // No whole line left: keep the partial one, and read the next piece after it.
    buffer_.erase(0, start);
    filled_ -= start;
    start = 0;
    searched = filled_;
    const auto piece = source_->next();
    if (!piece) {
      source_done_ = true;
      continue;
    }
    read_ += piece->size();
    if (read_ > max_bytes_) {
      over_limit_ = true;
      buffer_.clear();
      filled_ = 0;
      shown_ = nullptr; // nothing to put back
      at_ = end_ = kEmpty;
      return false;
    }
    buffer_.resize(filled_); // the padding goes after the new piece
    buffer_.reserve(filled_ + piece->size() + json_scan::kPadding);
    buffer_.append(*piece);
    filled_ = buffer_.size();
    buffer_.append(json_scan::kPadding, '\0');
  }
}

} // namespace meshca
