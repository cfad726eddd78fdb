#include "meshca/util/background_process.h"

#include "meshca/util/process.h"

// Boost.Process stays in this file and in process.cpp: it costs seconds per translation unit.
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <cerrno>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace meshca {
namespace {

namespace bp = boost::process;
using Clock = std::chrono::steady_clock;

// Runs in the forked child between fork and exec: async-signal-safe calls only.
// - close_range: Boost 1.74 creates pipes without O_CLOEXEC (see process.cpp).
// - Its own process group, so stop() reaches whatever the child starts.
// - PR_SET_PDEATHSIG: killed with us when we die without stopping it. If we died before the
//   prctl took effect, the child has been re-parented already and must not run on.
// - Signals back to their defaults and unblocked: the forking thread may block or ignore some.
struct ChildSetup {
  pid_t parent;
  template <class Executor>
  void operator()(Executor& /*executor*/) const {
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(127);
    for (const int signal_number : {SIGPIPE, SIGINT, SIGTERM, SIGHUP})
      ::signal(signal_number, SIG_DFL);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
  }
};

int code_from_siginfo(const siginfo_t& info) {
  if (info.si_code == CLD_EXITED)
    return info.si_status;
  return 128 + info.si_status;
}

int code_from_status(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return -1;
}

Result<int> launch(const std::string& exe, const BackgroundSpec& spec) {
  const auto setup = bp::extend::on_exec_setup(ChildSetup{::getpid()});
  const std::string out = spec.output_file.empty() ? "/dev/null" : spec.output_file;
  std::error_code start_error;
  bp::environment env = boost::this_process::environment();
  for (const auto& [name, value] : spec.extra_env)
    env[name] = value;
  bp::child child(exe, bp::args(spec.args), (bp::std_in < bp::null),
                  ((bp::std_out & bp::std_err) > out), env, setup, start_error);
  if (start_error || !child.valid())
    return cluster_error("cannot start \"" + exe + "\": " + start_error.message());
  const int pid = child.id();
  child.detach(); // reaped by stop(), which also gives the raw status
  return pid;
}

} // namespace

Result<BackgroundProcess> BackgroundProcess::start(const BackgroundSpec& spec) {
  std::string exe = spec.program;
  if (exe.find('/') == std::string::npos) {
    auto found = find_in_path(exe);
    if (!found)
      return cluster_error("cannot start \"" + exe + "\": not found on PATH");
    exe = *found;
  }
  try {
    MESHCA_TRY_ASSIGN(auto pid, launch(exe, spec));
    return BackgroundProcess(pid);
  } catch (const std::exception& e) {
    // Only the output file or memory can fail here; the child was never started.
    return cluster_error("cannot start \"" + exe + "\": " + e.what());
  }
}

BackgroundProcess::BackgroundProcess(BackgroundProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), exit_code_(other.exit_code_) {}

BackgroundProcess& BackgroundProcess::operator=(BackgroundProcess&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    exit_code_ = other.exit_code_;
  }
  return *this;
}

BackgroundProcess::~BackgroundProcess() {
  stop();
}

std::optional<int> BackgroundProcess::exit_code() {
  if (exit_code_ || pid_ <= 0)
    return exit_code_;
  siginfo_t info{};
  // WNOWAIT: the child stays a zombie, so its pid (and process group id) cannot be reused
  // before stop() kills the rest of the group.
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
      info.si_pid == pid_)
    return code_from_siginfo(info);
  return std::nullopt;
}

int BackgroundProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0)
    return exit_code_.value_or(-1);
  if (!exit_code()) {
    ::kill(-pid_, SIGTERM);
    const auto deadline = Clock::now() + grace;
    while (!exit_code() && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(-pid_, SIGKILL); // what is left of the group (helpers the child started)
  int status = 0;
  pid_t got = 0;
  do {
    got = ::waitpid(pid_, &status, 0);
  } while (got == -1 && errno == EINTR);
  exit_code_ = got == pid_ ? code_from_status(status) : -1;
  pid_ = -1;
  return *exit_code_;
}

} // namespace meshca
