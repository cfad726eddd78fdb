#pragma once
// HTTP/1.1 and WebSocket to the Kubernetes API through a local Unix socket (a `kubectl proxy
// --unix-socket`, see proxy_process.h), in process: one I/O thread, keep-alive connections
// reused from a small pool, one fresh connection per exec (an upgraded connection cannot be
// reused). Callers block on their own thread; many may call at once, and the number of calls in
// flight is theirs to bound (check-root's --parallel).
//
// Boost.Beast and Asio are confined to api_client.cpp (they cost seconds per translation unit).

#include "meshca/kube/api_client_exec.h"
#include "meshca/kube/retry.h"
#include "meshca/util/chunk_source.h"
#include "meshca/util/result.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

namespace meshca {

struct ApiClientOptions {
  std::size_t max_idle_connections = 4;
  // -v: every request line is printed here ("+ GET /api/v1/pods?limit=500"). Targets carry no
  // secrets (no request bodies are sent, and the proxy adds the credentials).
  std::ostream* echo = nullptr;
  // GETs that fail for a passing reason (no answer in time, refused, reset, closed; 429 or 5xx)
  // are made again per this policy. An exec is tried again only when its connection failed.
  RetryPolicy retry = default_read_retry_policy();
  // When it becomes true (Ctrl-C), calls in flight end within about 50 ms with an
  // "interrupted" error and no new attempt starts.
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string attempts_note; // " (N attempts over Ts)" when the answer took retries, else ""
};

class ApiClient {
 public:
  ApiClient(std::string socket_path, ApiClientOptions options = {});
  ~ApiClient(); // ends the I/O thread; calls still running fail
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // GET `target`, each attempt up to `timeout`. Any HTTP answer is a response (look at status;
  // a 429/5xx is the last attempt's); cluster_error when none came, naming the target, the reason
  // and the attempts.
  Result<HttpResponse> get(const std::string& target, std::chrono::milliseconds timeout);

  // Runs an exec (`target` from exec_target()) over WebSocket, up to `timeout` in all.
  // cluster_error when the upgrade is refused (with the API's status message), the connection
  // ends before the exit status, or the time runs out.
  Result<ExecOutput> exec(const std::string& target, std::chrono::milliseconds timeout);

  // The same, with stdout handed to `read` on the calling thread as it arrives (ExecOutput::out
  // stays empty), so a big answer is parsed and dropped rather than held. `read` must read to the
  // end or return early; what it leaves is dropped. An exec that failed after output began is
  // not tried again.
  Result<ExecOutput> exec_streamed(const std::string& target, std::chrono::milliseconds timeout,
                                   const std::function<void(ChunkSource&)>& read);

  const std::string& socket_path() const { return socket_path_; }

 private:
  struct Impl;
  std::string socket_path_;
  std::unique_ptr<Impl> impl_;
};

} // namespace meshca
