#include "meshca/util/chunk_queue.h"

namespace meshca {

void ChunkQueue::push(std::string piece) {
  if (piece.empty())
    return;
  {
    const std::lock_guard lock(mutex_);
    if (stopped_ || finished_)
      return;
    pieces_.push_back(std::move(piece));
    started_ = true;
  }
  ready_.notify_one();
}

void ChunkQueue::finish() {
  {
    const std::lock_guard lock(mutex_);
    finished_ = true;
  }
  ready_.notify_one();
}

bool ChunkQueue::started() const {
  const std::lock_guard lock(mutex_);
  return started_;
}

std::optional<std::string_view> ChunkQueue::next() {
  std::unique_lock lock(mutex_);
  ready_.wait(lock, [&] { return !pieces_.empty() || finished_ || stopped_; });
  if (pieces_.empty() || stopped_)
    return std::nullopt;
  current_ = std::move(pieces_.front());
  pieces_.pop_front();
  return std::string_view(current_);
}

void ChunkQueue::stop_reading() {
  const std::lock_guard lock(mutex_);
  stopped_ = true;
  pieces_.clear();
}

} // namespace meshca
