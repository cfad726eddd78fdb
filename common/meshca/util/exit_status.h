#pragma once

namespace meshca {

// The process exit codes every command uses (DESIGN.md, "Exit codes").
enum class ExitStatus : int {
  ok = 0,           // done; all checks passed
  check_failed = 1, // a check failed, or a step was refused for safety
  bad_input = 2,    // bad usage or bad input; nothing was changed
  cluster_error =
      3, // the cluster could not be read or written (kubectl missing, API error, timeout)
};

inline int to_int(ExitStatus status) {
  return static_cast<int>(status);
}

// The one precedence rule for a run that ends in more than one outcome, the exit status being
// the most severe: bad input (the command as typed cannot work; fix it before anything else),
// then a cluster error (a retry may succeed), then a failed check or refusal, then ok.
inline int severity(ExitStatus status) {
  switch (status) {
  case ExitStatus::bad_input:
    return 3;
  case ExitStatus::cluster_error:
    return 2;
  case ExitStatus::check_failed:
    return 1;
  case ExitStatus::ok:
    break;
  }
  return 0;
}

// The more severe of two outcomes (see severity).
inline ExitStatus worst(ExitStatus a, ExitStatus b) {
  return severity(a) >= severity(b) ? a : b;
}

} // namespace meshca
