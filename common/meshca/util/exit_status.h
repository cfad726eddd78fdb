#pragma once

namespace meshca {

// The process exit codes every command uses (DESIGN.md, "Exit codes").
enum class ExitStatus : int {
  ok = 0,            // done; all checks passed
  check_failed = 1,  // a check failed, or a step was refused for safety
  bad_input = 2,     // bad usage or bad input; nothing was changed
  cluster_error = 3, // the cluster could not be read or written (kubectl missing, API error, timeout)
};

inline int to_int(ExitStatus status) { return static_cast<int>(status); }

// The worse of two outcomes: a cluster error outranks bad input, which outranks a failed check.
inline ExitStatus worst(ExitStatus a, ExitStatus b) { return to_int(a) >= to_int(b) ? a : b; }

} // namespace meshca
