#pragma once
// Ctrl-C: the first SIGINT/SIGTERM sets a flag the command's workers poll (no new work starts,
// what was done is reported); a second one ends the process at once.

#include <atomic>

namespace meshca {

// Installs the handlers once and returns the flag.
const std::atomic<bool>& install_interrupt_flag();

} // namespace meshca
