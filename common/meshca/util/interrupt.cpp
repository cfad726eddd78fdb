#include "meshca/util/interrupt.h"

#include "meshca/util/process.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace meshca {
namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

extern "C" void on_interrupt(int signal_number) {
  if (g_interrupted.exchange(true)) {
    kill_running_children();
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
    return;
  }
  g_signal.store(signal_number);
  kill_interruptible_children();
}

// Runs when main returns (or exit is called): an interrupted run exits 128 + signal. Registered
// after the standard streams exist, so it runs before they are torn down.
extern "C" void exit_as_interrupted() {
  if (!g_interrupted.load())
    return;
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(interrupted_exit_code());
}

} // namespace

const std::atomic<bool>& install_interrupt_flag() {
  static const bool installed = [] {
    struct sigaction action = {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    for (const int signal_number : {SIGINT, SIGTERM, SIGHUP})
      ::sigaction(signal_number, &action, nullptr);
    std::atexit(exit_as_interrupted);
    return true;
  }();
  (void)installed;
  return g_interrupted;
}

const std::atomic<bool>& interrupt_flag() {
  return g_interrupted;
}

int interrupted_exit_code() {
  const int signal_number = g_signal.load();
  return 128 + (signal_number == 0 ? SIGINT : signal_number);
}

} // namespace meshca
