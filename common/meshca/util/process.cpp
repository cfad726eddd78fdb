#include "meshca/util/process.h"

// Boost.Process and Asio stay in this file: they cost seconds per translation unit.
// GCC 12 at -O2 reports a false "potential null pointer dereference" inside Asio's scheduler.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/process/args.hpp>
#include <boost/process/async_pipe.hpp>
#include <boost/process/child.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#pragma GCC diagnostic pop

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <linux/close_range.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace meshca {
namespace {

namespace asio = boost::asio;
namespace bp = boost::process;
using Clock = std::chrono::steady_clock;

// Runs in the forked child between fork and exec, so only async-signal-safe calls.
// - Boost 1.74 creates pipes without O_CLOEXEC, so a child forked by another thread at the same
//   moment would inherit (and hold open) our pipe ends; marking every fd >= 3 close-on-exec in the
//   child stops the leak. fds 0-2 are already the child's pipes at this point.
// - Its own process group, so a timeout can kill the child together with its children.
// - SIGPIPE back to default and unblocked: the caller's thread may have it ignored or blocked.
const auto child_setup = bp::extend::on_exec_setup([](auto& /*executor*/) {
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  ::setpgid(0, 0);
  ::signal(SIGPIPE, SIG_DFL);
  sigset_t pipe_set;
  ::sigemptyset(&pipe_set);
  ::sigaddset(&pipe_set, SIGPIPE);
  ::sigprocmask(SIG_UNBLOCK, &pipe_set, nullptr);
});

// Writing the child's stdin after it exited must give EPIPE, not kill this process. SIGPIPE from
// write(2) goes to the writing thread, so it is blocked in this thread only, and a pending one is
// consumed before the old mask comes back.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    ::sigemptyset(&pipe_set_);
    ::sigaddset(&pipe_set_, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_mask_);
  }
  ~SigpipeBlock() {
    if (::sigismember(&old_mask_, SIGPIPE) == 1)
      return;
    const timespec zero{};
    while (::sigtimedwait(&pipe_set_, nullptr, &zero) == SIGPIPE) {
    }
    ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_set_{};
  sigset_t old_mask_{};
};

void kill_group(pid_t pid) {
  ::kill(-pid, SIGKILL);
}

// The children being run now, for kill_running_children. Fixed slots of lock-free atomics, so a
// signal handler can read them; 0 marks a free slot, a negative value the pid of a child with
// OnInterrupt::stop (one atomic store publishes both facts). A child that finds no free slot
// still runs, untracked.
std::array<std::atomic<pid_t>, 1024> running_children{};
static_assert(std::atomic<pid_t>::is_always_lock_free);
// Set by kill_interruptible_children: a child with OnInterrupt::stop that registers after the
// signal (it was spawned while the handler ran) is stopped by run_resolved itself.
std::atomic<bool> stopping_interruptible{false};

class TrackedChild {
 public:
  TrackedChild(pid_t pid, OnInterrupt on_interrupt) {
    const pid_t value = on_interrupt == OnInterrupt::stop ? -pid : pid;
    for (auto& slot : running_children) {
      pid_t expected = 0;
      if (slot.compare_exchange_strong(expected, value)) {
        slot_ = &slot;
        return;
      }
    }
  }
  void release() {
    if (slot_ != nullptr)
      slot_->store(0);
    slot_ = nullptr;
  }
  ~TrackedChild() { release(); }
  TrackedChild(const TrackedChild&) = delete;
  TrackedChild& operator=(const TrackedChild&) = delete;

 private:
  std::atomic<pid_t>* slot_ = nullptr;
};

extern "C" void kill_children_and_die(int signal_number) {
  kill_running_children();
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

// The pipes and buffers of one running child, driven by one io_context on the caller's thread.
class Capture {
 public:
  Capture(asio::io_context& ios, bp::async_pipe& in, bp::async_pipe& out, bp::async_pipe& err,
          ProcessOutput& result)
      : in_(in), out_(out), err_(err), result_(result), timer_(ios) {}

  // Drains stdout and stderr to EOF, feeds stdin, and enforces the deadline; returns when both
  // output pipes are closed (or, after a timeout kill, after a short grace for buffered output).
  void run(asio::io_context& ios, pid_t pid, const std::optional<std::string>& input,
           std::optional<Clock::time_point> deadline) {
    read_all(out_, result_.out);
    read_all(err_, result_.err);
    if (input) {
      asio::async_write(in_, asio::buffer(*input),
                        [this](const boost::system::error_code&, std::size_t) { close(in_); });
    } else {
      close(in_);
    }
    if (deadline)
      arm_timeout(pid, *deadline);
    ios.run();
  }

 private:
  static void close(bp::async_pipe& pipe) {
    boost::system::error_code ignored;
    if (pipe.is_open())
      pipe.close(ignored);
  }

  void read_all(bp::async_pipe& pipe, std::string& into) {
    asio::async_read(pipe, asio::dynamic_buffer(into),
                     [this](const boost::system::error_code&, std::size_t) {
                       if (--open_streams_ == 0)
                         timer_.cancel();
                     });
  }

  void arm_timeout(pid_t pid, Clock::time_point deadline) {
    timer_.expires_at(deadline);
    timer_.async_wait([this, pid](const boost::system::error_code& ec) {
      if (ec)
        return; // cancelled: the output ended in time
      result_.timed_out = true;
      kill_group(pid);
      // A process that escaped the group may still hold the pipes: stop waiting for it soon.
      timer_.expires_after(std::chrono::milliseconds(200));
      timer_.async_wait([this](const boost::system::error_code& grace_ec) {
        if (grace_ec)
          return;
        close(in_);
        close(out_);
        close(err_);
      });
    });
  }

  bp::async_pipe& in_;
  bp::async_pipe& out_;
  bp::async_pipe& err_;
  ProcessOutput& result_;
  asio::steady_timer timer_;
  int open_streams_ = 2;
};

// Reaps the child. With a deadline it polls, and kills the group when the deadline passes (the
// child may have closed its output early and kept running).
int reap(pid_t pid, std::optional<Clock::time_point> deadline, bool& timed_out) {
  int status = 0;
  auto pause = std::chrono::microseconds(100);
  while (true) {
    const int flags = (deadline && !timed_out) ? WNOHANG : 0;
    const pid_t got = ::waitpid(pid, &status, flags);
    if (got == pid)
      return status;
    if (got == -1 && errno != EINTR)
      return status; // ECHILD: not ours to reap (SIGCHLD ignored); report what we have
    if (got == 0) {
      if (Clock::now() >= *deadline) {
        timed_out = true;
        kill_group(pid);
        continue;
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(20'000));
    }
  }
}

void record_status(int status, ProcessOutput& result) {
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
    result.exit_code = 128 + result.term_signal;
  }
}

// A copy of this process's environment with some variables set, as the envp for execve. Boost's
// own environment class reads past the end of short entries (an AddressSanitizer finding in 1.74),
// so the array is built here.
class ChildEnvironment {
 public:
  explicit ChildEnvironment(const std::vector<std::pair<std::string, std::string>>& extra) {
    if (extra.empty())
      return;
    for (char** entry = environ; *entry != nullptr; ++entry) { // NOLINT(*-pointer-arithmetic)
      const std::string_view text(*entry);
      const std::string_view name = text.substr(0, text.find('='));
      const bool replaced = std::any_of(
          extra.begin(), extra.end(), [&](const auto& variable) { return variable.first == name; });
      if (!replaced)
        entries_.emplace_back(text);
    }
    for (const auto& [name, value] : extra)
      entries_.push_back(name + "=" + value);
    for (auto& entry : entries_)
      pointers_.push_back(entry.data());
    pointers_.push_back(nullptr);
  }

  // Points the executor at this environment (it uses environ by default).
  template <class Executor>
  void apply(Executor& executor) const {
    if (!pointers_.empty())
      executor.env = const_cast<char**>(pointers_.data()); // NOLINT: execve's signature
  }

 private:
  std::vector<std::string> entries_;
  std::vector<char*> pointers_;
};

Result<std::string> resolve_program(const std::string& program) {
  if (program.empty())
    return cluster_error("cannot run a process: no program given");
  if (program.find('/') != std::string::npos)
    return program;
  if (auto found = find_in_path(program))
    return *found;
  return cluster_error("cannot run \"" + program + "\": not found on PATH");
}

Result<ProcessOutput> run_resolved(const std::string& exe, const ProcessSpec& spec) {
  asio::io_context ios;
  bp::async_pipe in(ios);
  bp::async_pipe out(ios);
  bp::async_pipe err(ios);
  std::error_code start_error;
  // The child's environment: ours (environ) unless extra variables are asked for.
  const ChildEnvironment environment(spec.extra_env);
  auto set_environment =
      bp::extend::on_setup([&environment](auto& executor) { environment.apply(executor); });
  // The redirections are parenthesized so they read as what they are, not as templates.
  bp::child child(exe, bp::args(spec.args), (bp::std_in < in), (bp::std_out > out),
                  (bp::std_err > err), set_environment, child_setup, start_error);
  if (start_error || !child.valid())
    return cluster_error("cannot run \"" + exe + "\": " + start_error.message());
  const pid_t pid = child.id();
  child.detach(); // reaped below with waitpid, which also gives the raw status
  TrackedChild tracked(pid, spec.on_interrupt);
  if (spec.on_interrupt == OnInterrupt::stop && stopping_interruptible.load())
    kill_group(pid);

  std::optional<Clock::time_point> deadline;
  if (spec.timeout.count() > 0)
    deadline = Clock::now() + spec.timeout;
  ProcessOutput result;
  {
    const SigpipeBlock no_sigpipe;
    Capture(ios, in, out, err, result).run(ios, pid, spec.input, deadline);
  }
  const int status = reap(pid, deadline, result.timed_out);
  tracked.release(); // just after the reap: Linux hands out pids in order, so no reuse this soon
  record_status(status, result);
  return result;
}

} // namespace

void kill_running_children() noexcept {
  for (const auto& slot : running_children) {
    const pid_t value = slot.load();
    if (value != 0)
      kill_group(value > 0 ? value : -value);
  }
}

void kill_interruptible_children() noexcept {
  stopping_interruptible.store(true);
  for (const auto& slot : running_children) {
    const pid_t value = slot.load();
    if (value < 0)
      kill_group(-value);
  }
}

void kill_children_on_termination_signals() {
  struct sigaction action {};
  action.sa_handler = kill_children_and_die;
  ::sigemptyset(&action.sa_mask);
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP})
    ::sigaction(signal_number, &action, nullptr);
}

bool is_executable_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::string> find_in_path(std::string_view name, std::string_view path_list) {
  if (name.empty())
    return std::nullopt;
  std::error_code ec;
  if (name.find('/') != std::string_view::npos) {
    const std::string candidate(name);
    if (!is_executable_file(candidate))
      return std::nullopt;
    return std::filesystem::absolute(candidate, ec).string();
  }
  std::size_t start = 0;
  while (start <= path_list.size()) {
    std::size_t end = path_list.find(':', start);
    if (end == std::string_view::npos)
      end = path_list.size();
    std::string folder(path_list.substr(start, end - start));
    if (folder.empty())
      folder = ".";
    const std::string candidate = folder + "/" + std::string(name);
    if (is_executable_file(candidate)) {
      auto absolute = std::filesystem::absolute(candidate, ec);
      return ec ? candidate : absolute.lexically_normal().string();
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> find_in_path(std::string_view name) {
  const char* path = std::getenv("PATH"); // NOLINT(concurrency-mt-unsafe): read-only use
  return find_in_path(name, path ? std::string_view(path) : "/usr/local/bin:/usr/bin:/bin");
}

Result<ProcessOutput> run_process(const ProcessSpec& spec) {
  MESHCA_TRY_ASSIGN(auto exe, resolve_program(spec.program));
  try {
    return run_resolved(exe, spec);
  } catch (const std::exception& e) {
    // Only pipe creation or memory exhaustion gets here; the child was never started.
    return cluster_error("cannot run \"" + exe + "\": " + e.what());
  }
}

} // namespace meshca
