#pragma once
// A long-running child (a local proxy, a simulator) that lives as long as the object that started
// it. Started like run_process's children: an argument vector, never a shell; its own process
// group; no descriptor of ours but 0-2 (close_range CLOEXEC, so a sibling spawned by another
// thread cannot inherit our pipes either). stdin is /dev/null; stdout and stderr go to one file.
//
// Stopping kills the whole process group, so helpers it started go too. When this process dies
// without stopping it (SIGKILL, a second Ctrl-C), the kernel kills the child (PR_SET_PDEATHSIG),
// so no proxy outlives its command.

#include "meshca/util/result.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meshca {

struct BackgroundSpec {
  std::string program;           // a path, or a bare name looked up on $PATH
  std::vector<std::string> args; // after argv[0], passed as they are
  std::string output_file;       // stdout and stderr (truncated first); "" = /dev/null
  std::vector<std::pair<std::string, std::string>> extra_env; // added to a copy of ours
};

class BackgroundProcess {
 public:
  // Starts the child. cluster_error naming the program when it cannot be started.
  // Must be called from a thread that outlives the child (PR_SET_PDEATHSIG fires when the
  // thread that forked exits): in practice the main thread.
  static Result<BackgroundProcess> start(const BackgroundSpec& spec);

  BackgroundProcess(BackgroundProcess&& other) noexcept;
  BackgroundProcess& operator=(BackgroundProcess&& other) noexcept;
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  ~BackgroundProcess(); // stop()

  // nullopt while the child runs; once it has ended, its exit code (128 + signal when killed).
  // Does not reap it, so its process group stays valid for stop().
  std::optional<int> exit_code();

  // SIGTERM to the process group, up to `grace` for the child to end, then SIGKILL to the group;
  // reaps the child. Returns its exit code (128 + signal when killed); idempotent.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

  int pid() const { return pid_; }

 private:
  explicit BackgroundProcess(int pid) : pid_(pid) {}
  int pid_ = -1;
  std::optional<int> exit_code_;
};

} // namespace meshca
