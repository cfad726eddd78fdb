#include "meshca/util/progress.h"
#include "meshca/util/terminal.h"
#include "meshca/util/worker_pool.h"

#include <chrono>
#include <doctest/doctest.h>
#include <sstream>
#include <thread>

namespace meshca {

using std::chrono::milliseconds;

TEST_CASE("the progress line shows counter, label, failures and time") {
  CHECK(format_progress(12, 412, 0, "checking pods", 0, milliseconds(3200)) ==
        "[ 12/412] checking pods 3.2s");
  CHECK(format_progress(412, 412, 3, "checking pods", 0, milliseconds(65'000)) ==
        "[412/412] checking pods, 3 failed 1m05s");
  CHECK(format_progress(0, 0, 0, "", 0, milliseconds(0)) == "[0/0]  0ms");
}

TEST_CASE("failures are red only with colour on") {
  const std::string plain = format_progress(5, 10, 2, "pods", 0, milliseconds(10), Color::off);
  CHECK(plain.find('\x1b') == std::string::npos);
  const std::string red = format_progress(5, 10, 2, "pods", 0, milliseconds(10), Color::on);
  CHECK(red == "[ 5/10] pods, \x1b[31m2 failed\x1b[0m 10ms");
}

TEST_CASE("the line fits the width, shortening the label first") {
  const std::string line =
      format_progress(7, 100, 1, "checking pods in namespace production", 30, milliseconds(500));
  CHECK(line.size() == 30);
  CHECK(line == "[  7/100] c..., 1 failed 500ms");
  // Colour codes do not count against the width.
  const std::string red = format_progress(7, 100, 1, "checking pods in namespace production", 30,
                                          milliseconds(500), Color::on);
  CHECK(red.size() == 30 + 9);
  // Too narrow for anything but the counter.
  CHECK(format_progress(7, 100, 0, "label", 6, milliseconds(1)) == "[  7/1");
  // Wide enough: nothing is cut.
  CHECK(format_progress(1, 2, 0, "ok", 80, milliseconds(1)) == "[1/2] ok 1ms");
}

TEST_CASE("elapsed time reads naturally at every scale") {
  CHECK(format_elapsed(milliseconds(0)) == "0ms");
  CHECK(format_elapsed(milliseconds(999)) == "999ms");
  CHECK(format_elapsed(milliseconds(1000)) == "1.0s");
  CHECK(format_elapsed(milliseconds(9950)) == "9.9s");
  CHECK(format_elapsed(milliseconds(10'000)) == "10s");
  CHECK(format_elapsed(milliseconds(59'999)) == "59s");
  CHECK(format_elapsed(milliseconds(60'000)) == "1m00s");
  CHECK(format_elapsed(milliseconds(3'599'000)) == "59m59s");
  CHECK(format_elapsed(milliseconds(3'720'000)) == "1h02m");
  CHECK(format_elapsed(milliseconds(-5)) == "0ms");
}

TEST_CASE("colour needs a smart terminal and no NO_COLOR") {
  CHECK(color_enabled_for(true, std::nullopt));
  CHECK(color_enabled_for(true, std::string_view("")));
  CHECK_FALSE(color_enabled_for(true, std::string_view("1")));
  CHECK_FALSE(color_enabled_for(false, std::nullopt));
  CHECK_FALSE(color_enabled_for(false, std::string_view("")));
}

TEST_CASE("a pipe is not a terminal, so stderr progress is off in tests") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  CHECK_FALSE(is_terminal(fds[0]));
  CHECK_FALSE(is_smart_terminal(fds[1]));
  CHECK_FALSE(color_enabled(fds[1]));
  CHECK(terminal_width(fds[1], 123) == 123);
  ::close(fds[0]);
  ::close(fds[1]);
  CHECK_FALSE(is_terminal(-1));
}

namespace {
struct Captured {
  std::mutex mutex;
  std::string text;
  ProgressSink sink(milliseconds interval) {
    ProgressSink s;
    s.write = [this](std::string_view t) {
      const std::lock_guard lock(mutex);
      text += t;
    };
    s.width = 60;
    s.min_interval = interval;
    return s;
  }
};
} // namespace

TEST_CASE("a progress line overprints with \\r and erases itself at the end") {
  Captured out;
  {
    ProgressLine progress("pods", 3, out.sink(milliseconds(0)));
    CHECK(progress.enabled());
    progress.advance();
    progress.advance(Outcome::failed);
    progress.advance();
  }
  CHECK(out.text.starts_with("\r\x1b[K[1/3] pods "));
  CHECK(out.text.find("\r\x1b[K[2/3] pods, 1 failed ") != std::string::npos);
  CHECK(out.text.find("\r\x1b[K[3/3] pods, 1 failed ") != std::string::npos);
  CHECK(out.text.ends_with("\r\x1b[K")); // erased by the destructor
}

TEST_CASE("redraws are throttled, but the final count is always drawn") {
  Captured out;
  ProgressLine progress("items", 1000, out.sink(milliseconds(60'000)));
  for (int i = 0; i < 1000; ++i)
    progress.advance();
  progress.finish();
  progress.finish(); // idempotent
  std::size_t draws = 0;
  for (std::size_t at = out.text.find("]"); at != std::string::npos;
       at = out.text.find("]", at + 1))
    ++draws;
  CHECK(draws == 2); // the first item and the last
  CHECK(out.text.find("[1000/1000] items") != std::string::npos);
  progress.advance(); // after finish: counted, not drawn
  CHECK(out.text.ends_with("\r\x1b[K"));
}

TEST_CASE("advance is safe from many threads") {
  Captured out;
  ProgressLine progress("items", 400, out.sink(milliseconds(0)));
  parallel_for(
      400, 8, [&](std::size_t i) { progress.advance(i % 4 == 0 ? Outcome::failed : Outcome::ok); });
  progress.finish();
  CHECK(out.text.find("[400/400] items, 100 failed") != std::string::npos);
}

TEST_CASE("print_above erases the line, prints, and redraws") {
  Captured out;
  ProgressLine progress("pods", 2, out.sink(milliseconds(0)));
  progress.advance();
  out.text.clear();
  std::ostringstream results;
  progress.print_above(results, "pod-a.foo trusts [CITADEL]\n");
  CHECK(results.str() == "pod-a.foo trusts [CITADEL]\n");
  CHECK(out.text.starts_with("\r\x1b[K\r\x1b[K[1/2] pods"));
}

TEST_CASE("a disabled progress line prints nothing and still passes text through") {
  ProgressLine progress("pods", 2, ProgressSink{});
  CHECK_FALSE(progress.enabled());
  progress.advance();
  std::ostringstream results;
  progress.print_above(results, "line\n");
  CHECK(results.str() == "line\n");
}

} // namespace meshca
