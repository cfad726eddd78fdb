#pragma once
// The exec protocol of the Kubernetes API over WebSocket (subprotocols v5.channel.k8s.io and
// v4.channel.k8s.io): every binary message starts with a channel byte, 1 stdout, 2 stderr,
// 3 the final status (a metav1.Status JSON), then the server closes. Pure; the socket side is in
// api_client.cpp.

#include "meshca/util/result.h"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace meshca {

// The subprotocols offered, best first.
inline constexpr const char* kExecSubprotocols = "v5.channel.k8s.io, v4.channel.k8s.io";

struct ExecOutput {
  std::string out;
  std::string err;
  int exit_code = 0;
};

// The most an exec may send before it is cut off: the config-dump size cap
// (mesh::kMaxConfigDumpBytes), so a runaway answer cannot exhaust memory.
inline constexpr std::size_t kMaxExecOutputBytes = std::size_t{256} << 20;

// Collects one exec's messages.
class ExecStreams {
 public:
  ExecStreams() = default;
  // Stdout goes to `stdout_sink` as it arrives instead of into ExecOutput::out.
  explicit ExecStreams(std::function<void(std::string_view)> stdout_sink)
      : stdout_sink_(std::move(stdout_sink)) {}

  // One WebSocket message. An empty message is ignored (a keep-alive); channel 0 (stdin) is
  // ignored; an unknown channel is a cluster_error.
  Status feed(std::string_view message);

  // After the server closed: the output and the exit code from the status. cluster_error when no
  // status arrived (the connection ended early) or the status is a failure without an exit code
  // (e.g. the container does not exist), naming the server's message.
  Result<ExecOutput> finish();

  std::size_t bytes() const { return streamed_ + out_.size() + err_.size(); }

 private:
  std::function<void(std::string_view)> stdout_sink_;
  std::size_t streamed_ = 0;
  std::string out_;
  std::string err_;
  std::string status_;
  bool have_status_ = false;
};

// The exit code in an exec status: "Success" is 0; "Failure" with reason "NonZeroExitCode" gives
// the code in details.causes[reason=ExitCode].message. Any other status is a cluster_error with
// the status message.
Result<int> exec_exit_code(std::string_view status_json);

// The message of a Kubernetes Status body (`{"kind":"Status","message":...}`), or the body itself
// shortened to about 300 characters when it is not one ("" for an empty body).
std::string api_status_message(std::string_view body);

// True for the answers a proxy gives when the API server could not be reached, worth another try
// for a read-only call: 502, 503, 504, and a 500 whose body is not a Kubernetes Status (kubectl
// proxy answers a connection the API server dropped with 500 and the Go error text, e.g. "EOF").
bool is_transient_http_failure(int status, std::string_view body);

} // namespace meshca
