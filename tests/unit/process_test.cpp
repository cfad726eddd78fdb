// run_process: argument vectors passed literally, both pipes drained, exit codes, signals,
// timeouts, stdin, start failures and concurrent use. /bin/sh appears here only as a child that
// produces output patterns; the code under test never uses a shell.
#include "meshca/util/process.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace meshca {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

ProcessOutput must_run(ProcessSpec spec) {
  auto result = run_process(spec);
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
  return std::move(result).value();
}

ProcessOutput sh(const std::string& script, milliseconds timeout = milliseconds(0)) {
  ProcessSpec spec;
  spec.program = "/bin/sh";
  spec.args = {"-c", script};
  spec.timeout = timeout;
  return must_run(spec);
}

long long ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "meshca-proc-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name, const std::string& text, mode_t mode) const {
    const auto file_path = path / name;
    std::ofstream(file_path) << text;
    ::chmod(file_path.c_str(), mode);
    return file_path.string();
  }
};

// A process that no longer runs: gone, or a zombie nobody reaped yet.
bool is_dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text))
    return true;
  // "pid (name) S ...": the state letter follows the last ')'.
  const auto close_paren = text.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < text.size() &&
         (text[close_paren + 2] == 'Z' || text[close_paren + 2] == 'X');
}

} // namespace

TEST_CASE("hostile arguments reach the program literally") {
  const std::vector<std::string> args = {"$(reboot)", "a;b",    "*",   "`id`",  "a b", "",
                                         "'q'",       "\"dq\"", "x|y", "$HOME", "\\n", "--"};
  ProcessSpec spec;
  spec.program = "/usr/bin/printf";
  spec.args = {"[%s]\n"};
  spec.args.insert(spec.args.end(), args.begin(), args.end());
  const auto out = must_run(spec);
  std::string expected;
  for (const auto& arg : args)
    expected += "[" + arg + "]\n";
  CHECK(out.exit_code == 0);
  CHECK(out.out == expected);
  CHECK(out.err.empty());
}

TEST_CASE("a bare program name is looked up on PATH") {
  ProcessSpec spec;
  spec.program = "echo";
  spec.args = {"a;b", "*"};
  const auto out = must_run(spec);
  CHECK(out.out == "a;b *\n");
}

TEST_CASE("exit codes and stderr are reported") {
  const auto out = sh("echo oops >&2; echo fine; exit 7");
  CHECK(out.exit_code == 7);
  CHECK(out.term_signal == 0);
  CHECK_FALSE(out.timed_out);
  CHECK_FALSE(out.succeeded());
  CHECK(out.out == "fine\n");
  CHECK(out.err == "oops\n");
  CHECK(sh("exit 0").succeeded());
}

TEST_CASE("death by a signal is told apart from an exit code") {
  const auto killed = sh("kill -TERM $$; sleep 5");
  CHECK(killed.term_signal == SIGTERM);
  CHECK(killed.exit_code == 128 + SIGTERM);
  CHECK_FALSE(killed.succeeded());
  const auto exited = sh("exit 9");
  CHECK(exited.term_signal == 0);
  CHECK(exited.exit_code == 9);
}

TEST_CASE("more than a megabyte on each of stdout and stderr, interleaved, does not deadlock") {
  // 400 rounds of 4 KiB to stdout then 4 KiB to stderr: 1,638,400 bytes each.
  const auto out = sh("i=0; while [ $i -lt 400 ]; do printf '%4096s' o; printf '%4096s' e >&2; "
                      "i=$((i+1)); done; exit 3");
  CHECK(out.exit_code == 3);
  REQUIRE(out.out.size() == 400U * 4096U);
  REQUIRE(out.err.size() == 400U * 4096U);
  CHECK(out.out.substr(4095, 1) == "o");
  CHECK(out.err.substr(out.err.size() - 1) == "e");
  CHECK(std::count(out.out.begin(), out.out.end(), 'o') == 400);
  CHECK(std::count(out.err.begin(), out.err.end(), 'e') == 400);
}

TEST_CASE("stdin data round-trips through cat, larger than a pipe buffer") {
  std::string data;
  for (int i = 0; data.size() < 3'000'000; ++i)
    data += "line " + std::to_string(i) + " \x01\xff\n";
  ProcessSpec spec;
  spec.program = "/bin/cat";
  spec.input = data;
  const auto out = must_run(spec);
  CHECK(out.exit_code == 0);
  CHECK(out.out.size() == data.size());
  CHECK(out.out == data);
}

TEST_CASE("without input the child reads end-of-file at once") {
  ProcessSpec spec;
  spec.program = "/bin/cat";
  const auto start = Clock::now();
  const auto out = must_run(spec);
  CHECK(out.exit_code == 0);
  CHECK(out.out.empty());
  CHECK(ms_since(start) < 2000);
}

TEST_CASE("input the child never reads does not kill this process") {
  ProcessSpec spec;
  spec.program = "/bin/true";
  spec.input = std::string(2'000'000, 'x');
  const auto out = must_run(spec);
  CHECK(out.exit_code == 0);
  CHECK(out.term_signal == 0);
}

TEST_CASE("a timeout kills the child and its process group quickly") {
  const auto start = Clock::now();
  const auto out = sh("sleep 10 & echo $!; wait", milliseconds(300));
  const auto elapsed = ms_since(start);
  CHECK(out.timed_out);
  CHECK(out.term_signal == SIGKILL);
  CHECK(out.exit_code == 128 + SIGKILL);
  CHECK_FALSE(out.succeeded());
  CHECK(elapsed >= 250);
  CHECK(elapsed < 3000);
  // The grandchild `sleep 10` was in the same group and died too.
  const pid_t grandchild = std::stoi(out.out);
  for (int i = 0; i < 100 && !is_dead(grandchild); ++i)
    std::this_thread::sleep_for(milliseconds(10));
  CHECK(is_dead(grandchild));
}

TEST_CASE("a timeout also applies to a child that closed its output and kept running") {
  const auto start = Clock::now();
  const auto out = sh("echo early; exec >&- 2>&-; sleep 10", milliseconds(300));
  CHECK(out.timed_out);
  CHECK(out.out == "early\n");
  CHECK(ms_since(start) < 3000);
}

TEST_CASE("a child that finishes before its timeout is not marked timed out") {
  const auto out = sh("echo quick", milliseconds(5000));
  CHECK_FALSE(out.timed_out);
  CHECK(out.exit_code == 0);
  CHECK(out.out == "quick\n");
}

TEST_CASE("a program that cannot be started is an error naming it") {
  ProcessSpec missing;
  missing.program = "/nonexistent/meshca-no-such-program";
  auto result = run_process(missing);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().status == ExitStatus::cluster_error);
  CHECK(result.error().message.find("/nonexistent/meshca-no-such-program") != std::string::npos);
  CHECK(result.error().message.find("No such file or directory") != std::string::npos);

  ProcessSpec not_on_path;
  not_on_path.program = "meshca-no-such-program";
  result = run_process(not_on_path);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message == "cannot run \"meshca-no-such-program\": not found on PATH");

  const TempDir dir;
  ProcessSpec not_executable;
  not_executable.program = dir.file("script", "#!/bin/sh\necho hi\n", 0644);
  result = run_process(not_executable);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message.find("Permission denied") != std::string::npos);

  ProcessSpec empty;
  CHECK_FALSE(run_process(empty).ok());
}

TEST_CASE("extra environment variables are added for the child only") {
  ProcessSpec spec;
  spec.program = "/usr/bin/env";
  spec.extra_env = {{"MESHCA_TEST_VALUE", "a b;$(x)"}, {"HOME", "/meshca-home"}};
  const auto out = must_run(spec);
  CHECK(out.out.find("\nMESHCA_TEST_VALUE=a b;$(x)\n") != std::string::npos);
  CHECK(out.out.find("\nHOME=/meshca-home\n") != std::string::npos);
  CHECK(out.out.find("PATH=") != std::string::npos); // the rest of the environment is kept
  CHECK(std::getenv("MESHCA_TEST_VALUE") == nullptr);
}

TEST_CASE("the child inherits no descriptors but stdin, stdout and stderr") {
  const TempDir dir;
  const std::string path = dir.file("held-open", "x", 0600);
  const int fd = ::open(path.c_str(), O_RDONLY); // not O_CLOEXEC on purpose
  REQUIRE(fd >= 3);
  const auto out = sh("ls /proc/self/fd");
  ::close(fd);
  // ls itself opens one descriptor for the folder it lists (3); nothing else is there.
  CHECK(out.out == "0\n1\n2\n3\n");
}

TEST_CASE("16 concurrent runs from threads, beside slow ones, neither mix nor wait") {
  // Slow children are forked while the parent still writes the fast ones' stdin. If they kept
  // those pipe ends, `cat` would see end-of-file only when they exit: each fast run (about
  // 300 ms) has to end long before the slow ones (2 s) do.
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(16);
  std::vector<long long> durations(16);
  std::atomic<int> failures{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([i, &outputs, &durations, &failures] {
      const auto start = Clock::now();
      ProcessSpec spec;
      spec.program = "/bin/sh";
      spec.args = {"-c", "sleep 0.3; cat; printf xx >&2"};
      spec.input = std::string(256 * 1024, static_cast<char>('a' + i));
      spec.timeout = milliseconds(5000); // a leak deadlocks the cats: fail, do not hang
      auto result = run_process(spec);
      durations[static_cast<std::size_t>(i)] = ms_since(start);
      if (!result.ok() || result->exit_code != 0 || result->err != "xx")
        ++failures;
      else
        outputs[static_cast<std::size_t>(i)] = result->out;
    });
  }
  std::this_thread::sleep_for(milliseconds(100));
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([] { (void)run_process({"/bin/sleep", {"2"}, {}, milliseconds(0), {}}); });
  for (auto& thread : threads)
    thread.join();
  CHECK(failures.load() == 0);
  for (std::size_t i = 0; i < 16; ++i) {
    CAPTURE(i);
    CHECK(outputs[i] == std::string(256 * 1024, static_cast<char>('a' + i)));
    CHECK(durations[i] < 1500);
  }
}

TEST_CASE("kill_running_children stops every running child at once") {
  std::vector<std::thread> threads;
  std::vector<ProcessOutput> outputs(3);
  for (std::size_t i = 0; i < outputs.size(); ++i)
    threads.emplace_back([i, &outputs] { outputs[i] = sh("echo started; sleep 10"); });
  std::this_thread::sleep_for(milliseconds(300));
  const auto start = Clock::now();
  kill_running_children();
  for (auto& thread : threads)
    thread.join();
  CHECK(ms_since(start) < 3000);
  for (const auto& out : outputs) {
    CHECK(out.term_signal == SIGKILL);
    CHECK(out.out == "started\n");
    CHECK_FALSE(out.timed_out);
  }
  kill_running_children(); // nothing left to kill: harmless
}

TEST_CASE("find_in_path searches the given folders in order and returns absolute paths") {
  const TempDir first;
  const TempDir second;
  first.file("tool", "not executable", 0644);
  const std::string wanted = second.file("tool", "#!/bin/sh\n", 0755);
  std::filesystem::create_directory(first.path / "dir");
  const std::string list = first.path.string() + ":" + second.path.string();
  CHECK(find_in_path("tool", list) == wanted);
  CHECK(find_in_path("dir", first.path.string()) == std::nullopt); // folders do not count
  CHECK(find_in_path("missing", list) == std::nullopt);
  CHECK(find_in_path("", list) == std::nullopt);
  CHECK(find_in_path(wanted, "") == wanted); // a name with '/' is taken as it is
  CHECK(find_in_path(first.path.string() + "/tool", list) == std::nullopt);
  CHECK(find_in_path("sh") == std::optional<std::string>("/usr/bin/sh"));
  CHECK(is_executable_file("/bin/sh"));
  CHECK_FALSE(is_executable_file("/etc/passwd"));
  CHECK_FALSE(is_executable_file("/bin"));
}

} // namespace meshca
