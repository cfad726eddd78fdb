#include "meshca/util/progress.h"

#include "meshca/util/terminal.h"

#include <cstdio>
#include <unistd.h>

namespace meshca {

namespace {

constexpr std::string_view kEraseLine = "\r\x1b[K";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kReset = "\x1b[0m";

std::string two_digits(long long value) {
  return (value < 10 ? "0" : "") + std::to_string(value);
}

// Right-aligns `done` to the width of `total`, as ninja does, so the line does not jitter.
std::string counter(std::size_t done, std::size_t total) {
  std::string done_text = std::to_string(done);
  const std::string total_text = std::to_string(total);
  if (done_text.size() < total_text.size())
    done_text.insert(0, total_text.size() - done_text.size(), ' ');
  return "[" + done_text + "/" + total_text + "]";
}

ProgressSink stderr_sink() {
  if (!is_terminal(STDERR_FILENO))
    return {};
  ProgressSink sink;
  sink.write = [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  };
  // One column short of the width: writing into the last column wraps on some terminals.
  sink.width = terminal_width(STDERR_FILENO) - 1;
  sink.color = color_enabled(STDERR_FILENO) ? Color::on : Color::off;
  return sink;
}

} // namespace

std::string format_elapsed(std::chrono::milliseconds elapsed) {
  const long long ms = elapsed.count() < 0 ? 0 : elapsed.count();
  if (ms < 1000)
    return std::to_string(ms) + "ms";
  if (ms < 10'000)
    return std::to_string(ms / 1000) + "." + std::to_string((ms % 1000) / 100) + "s";
  const long long seconds = ms / 1000;
  if (seconds < 60)
    return std::to_string(seconds) + "s";
  if (seconds < 3600)
    return std::to_string(seconds / 60) + "m" + two_digits(seconds % 60) + "s";
  return std::to_string(seconds / 3600) + "h" + two_digits((seconds % 3600) / 60) + "m";
}

std::string format_progress(std::size_t done, std::size_t total, std::size_t failed,
                            std::string_view label, std::size_t width,
                            std::chrono::milliseconds elapsed, Color color) {
  const std::string head = counter(done, total) + " ";
  std::string failures;
  if (failed > 0)
    failures = ", " + std::to_string(failed) + " failed";
  const std::string tail = " " + format_elapsed(elapsed);

  // Colour codes take no columns, so the fitting is done on the plain text.
  std::string shown_label(label);
  const std::size_t fixed = head.size() + failures.size() + tail.size();
  if (width > 0 && fixed + shown_label.size() > width) {
    const std::size_t room = width > fixed ? width - fixed : 0;
    shown_label = room >= 3 ? shown_label.substr(0, room - 3) + "..." : "";
  }
  std::string line = head + shown_label;
  if (!failures.empty()) {
    if (color == Color::on)
      line += ", " + std::string(kRed) + failures.substr(2) + std::string(kReset);
    else
      line += failures;
  }
  line += tail;
  if (width > 0 && fixed > width)
    return head.substr(0, width); // a very narrow terminal: the counter is what matters
  return line;
}

ProgressLine::ProgressLine(std::string label, std::size_t total)
    : ProgressLine(std::move(label), total, stderr_sink()) {}

ProgressLine::ProgressLine(std::string label, std::size_t total, ProgressSink sink)
    : label_(std::move(label)), total_(total), sink_(std::move(sink)) {}

ProgressLine::~ProgressLine() {
  finish();
}

void ProgressLine::advance(Outcome outcome) {
  const std::lock_guard lock(mutex_);
  ++done_;
  if (outcome == Outcome::failed)
    ++failed_;
  if (!enabled() || finished_)
    return;
  const auto now = Clock::now();
  if (drawn_ && now - last_draw_ < sink_.min_interval && done_ < total_)
    return;
  draw_locked();
}

void ProgressLine::print_above(std::ostream& out, std::string_view text) {
  const std::lock_guard lock(mutex_);
  if (enabled() && drawn_ && !finished_)
    erase_locked();
  out << text;
  out.flush();
  if (enabled() && !finished_)
    draw_locked();
}

void ProgressLine::finish() {
  const std::lock_guard lock(mutex_);
  if (finished_)
    return;
  finished_ = true;
  if (enabled() && drawn_)
    erase_locked();
}

void ProgressLine::draw_locked() {
  const auto now = Clock::now();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - start_);
  const std::string line =
      format_progress(done_, total_, failed_, label_, sink_.width, elapsed, sink_.color);
  sink_.write(std::string(kEraseLine) + line);
  last_draw_ = now;
  drawn_ = true;
}

void ProgressLine::erase_locked() {
  sink_.write(kEraseLine);
  drawn_ = false;
}

} // namespace meshca
