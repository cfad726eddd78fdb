#pragma once
// The one place that starts processes: an argument vector, never a shell.

#include "meshca/util/result.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshca {

// What the first Ctrl-C does to a running child (see kill_interruptible_children).
enum class OnInterrupt {
  finish, // let it run to its end (a write: what it changed must be known and whole)
  stop,   // kill it (a read or a wait: its answer is no longer wanted)
};

struct ProcessSpec {
  // An absolute or relative path; a bare name (no '/') is looked up on $PATH.
  std::string program;
  // The arguments after argv[0], passed as they are: no word splitting, globbing or expansion.
  std::vector<std::string> args;
  // Written to the child's stdin, which is then closed. Without it the child reads EOF at once.
  std::optional<std::string> input;
  // 0 means no timeout. On expiry the child's whole process group is killed with SIGKILL.
  std::chrono::milliseconds timeout{0};
  // Added to (or replacing in) a copy of this process's environment.
  std::vector<std::pair<std::string, std::string>> extra_env;
  OnInterrupt on_interrupt = OnInterrupt::finish;
};

struct ProcessOutput {
  // The exit status; for a child killed by a signal it is 128 + the signal, as a shell reports it.
  int exit_code = -1;
  bool timed_out = false;
  int term_signal = 0; // the signal that killed the child, 0 when it exited normally
  std::string out, err;
  // The answer came from a transport that already made its own attempts (a read served in
  // process, kube/proxied_reads.h): not to be repeated.
  bool attempts_made = false;
  // Its account of them (" (3 attempts over 1.2s)"), for the error message after the command.
  std::string attempts_note = {};

  bool succeeded() const { return exit_code == 0 && !timed_out && term_signal == 0; }
};

// Runs the program to completion, capturing stdout and stderr in full (both are drained
// concurrently, so a child that fills one pipe cannot deadlock). The child runs in its own
// process group and inherits no file descriptor but 0, 1 and 2.
// Returns an Error (cluster_error) only when the program cannot be started; a child that runs
// and fails, is killed or times out is a ProcessOutput. Safe to call from many threads at once.
Result<ProcessOutput> run_process(const ProcessSpec& spec);

// Kills (SIGKILL) the process group of every child run_process is running now; each of those
// calls then returns with term_signal 9. Async-signal-safe, for use in a signal handler.
void kill_running_children() noexcept;

// Kills (SIGKILL) the process group of every child run_process is running now with
// OnInterrupt::stop. Async-signal-safe: for the first Ctrl-C (util/interrupt.h).
void kill_interruptible_children() noexcept;

// Installs SIGINT, SIGTERM and SIGHUP handlers that call kill_running_children() and then let
// this process die of the signal as it would have. Children run in their own process group (for
// timeouts), so a Ctrl-C on the terminal does not reach them by itself; a command calls this once
// at start so an interrupted run leaves no kubectl behind.
void kill_children_on_termination_signals();

// The absolute path of an executable regular file called `name` in a $PATH folder (an empty
// entry means the current folder), or nullopt. A name containing '/' is checked as it is.
std::optional<std::string> find_in_path(std::string_view name);

// Like find_in_path, with the search list given explicitly (for tests and for $KUBECTL-style use).
std::optional<std::string> find_in_path(std::string_view name, std::string_view path_list);

// True when `path` names a regular file this process may execute.
bool is_executable_file(const std::string& path);

} // namespace meshca
