#pragma once
// Ctrl-C. The first SIGINT/SIGTERM/SIGHUP sets a flag the commands poll: no new work starts
// (the kubectl runner starts no new process), the reads and waits in flight are stopped (their
// kubectl process groups are killed, in-process API calls are aborted), writes in flight finish
// so that what was changed is known and whole, and the command reports what was done. A second
// signal kills every kubectl child and ends the process at once.
//
// A process that was interrupted exits 128 + the signal (130 for Ctrl-C, as a shell reports a
// process killed by it), whatever main returns; what it printed stays printed.

#include <atomic>

namespace meshca {

// Installs the handlers once and returns the flag.
const std::atomic<bool>& install_interrupt_flag();

// The flag, without installing anything: false unless the handlers are installed and a signal
// came. For code below the commands (the kubectl runner, the API client) that must stop early
// when the command handles Ctrl-C.
const std::atomic<bool>& interrupt_flag();

// The exit code of an interrupted process: 128 + the first signal (130 for SIGINT).
int interrupted_exit_code();

} // namespace meshca
