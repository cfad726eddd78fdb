#pragma once
// A one-line progress display on stderr ("[ 12/412] checking pods, 1 failed 3s"), shown only
// when stderr is a terminal: in a pipe or a log nothing is printed at all.

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

namespace meshca {

enum class Color { off, on };

// The progress line for `done` of `total` items, `failed` of them failed, after `elapsed`.
// The result has no line ending and is at most `width` columns (0 = no limit); the label is
// shortened first. With Color::on the failure count is red.
std::string format_progress(std::size_t done, std::size_t total, std::size_t failed,
                            std::string_view label, std::size_t width,
                            std::chrono::milliseconds elapsed, Color color = Color::off);

// "850ms", "3.2s", "45s", "1m05s", "1h02m".
std::string format_elapsed(std::chrono::milliseconds elapsed);

// Where a ProgressLine draws, and how.
struct ProgressSink {
  std::function<void(std::string_view)> write; // receives text with \r and erase codes
  std::size_t width = 80;
  Color color = Color::off;
  std::chrono::milliseconds min_interval{100}; // redraws at most this often (the last is forced)
};

enum class Outcome { ok, failed };

// Overprints one line with \r as items complete; finish() (or the destructor) erases it.
// advance() may be called from many threads.
class ProgressLine {
 public:
  // Draws on stderr when it is a terminal, else does nothing.
  ProgressLine(std::string label, std::size_t total);
  // Draws into `sink` (for tests and other streams).
  ProgressLine(std::string label, std::size_t total, ProgressSink sink);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool enabled() const { return static_cast<bool>(sink_.write); }

  // Counts one finished item and redraws if the last redraw is older than min_interval.
  void advance(Outcome outcome = Outcome::ok);
  // Erases the line, writes `text` (which should end with a newline) to `out`, and redraws, so
  // results printed on the same terminal are not garbled by the progress line.
  void print_above(std::ostream& out, std::string_view text);
  // Erases the line for good; later calls do nothing.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  void draw_locked();
  void erase_locked();

  std::mutex mutex_;
  std::string label_;
  std::size_t total_;
  std::size_t done_ = 0;
  std::size_t failed_ = 0;
  ProgressSink sink_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
  bool drawn_ = false;
  bool finished_ = false;
};

} // namespace meshca
