#pragma once
// The seam between the API server's exec plumbing and whatever answers commands inside pods.

#include <functional>
#include <string>
#include <vector>

namespace sim {

struct ExecRequest {
  std::string ns, pod, container;
  std::vector<std::string> command;
};

// exit_code != 0 is reported as a Failure status (reason NonZeroExitCode) on channel 3.
struct ExecResult {
  std::string out, err;
  int exit_code = 0;
};

// Called on a server thread, possibly from many threads at once: must be thread-safe.
// The server has already checked that the pod exists, is Running and has the container.
using ExecHandler = std::function<ExecResult(const ExecRequest&)>;

} // namespace sim
