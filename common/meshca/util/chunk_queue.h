#pragma once
// Pieces of an answer handed from the thread that receives them to the thread that reads them
// (ApiClient's I/O thread to a check-root reader): the reader parses as the answer arrives and
// drops what it has read, so no answer is held whole.

#include "meshca/util/chunk_source.h"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>

namespace meshca {

class ChunkQueue final : public ChunkSource {
 public:
  // Receiving side. A piece pushed after the reader stopped is dropped.
  void push(std::string piece);
  // No more pieces: next() returns nullopt once the queued ones are read. Idempotent.
  void finish();
  // Whether any piece was accepted (an answer already partly read cannot be asked for again).
  bool started() const;

  // Reading side: blocks until a piece or the end is there.
  std::optional<std::string_view> next() override;
  // The reader is done (it read to the end, or gave up on a bad answer): later pieces are dropped.
  void stop_reading();

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> pieces_;
  std::string current_; // the piece next() returned last, owned here while the reader uses it
  bool finished_ = false;
  bool stopped_ = false;
  bool started_ = false;
};

} // namespace meshca
