#include "meshca/kube/api_client.h"

#include "meshca/util/chunk_queue.h"

// Beast and Asio stay in this file: they cost seconds per translation unit.
#include "meshca/kube/retry.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/buffered_read_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <mutex>
#include <ostream>
#include <thread>
#include <variant>
#include <vector>

// A WebSocket over a buffered stream closes the socket under it (Beast finds these by
// argument-dependent lookup; it has them for sockets and TLS streams only).
namespace boost::beast {
template <class Stream, class DynamicBuffer>
void teardown(role_type role, buffered_read_stream<Stream, DynamicBuffer>& stream, error_code& ec) {
  websocket::teardown(role, stream.next_layer(), ec);
}
template <class Stream, class DynamicBuffer, class TeardownHandler>
void async_teardown(role_type role, buffered_read_stream<Stream, DynamicBuffer>& stream,
                    TeardownHandler&& handler) {
  websocket::async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}
} // namespace boost::beast

namespace meshca {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using Socket = asio::local::stream_protocol::socket;
using Endpoint = asio::local::stream_protocol::endpoint;
// An exec's answer comes in WebSocket frames of a few KB (4 KB from Beast's and Go's writers),
// and Beast reads each frame's header into a 1.5 KB buffer of its own and its payload with another
// read: two system calls per frame. Reading whatever has arrived, up to kExecReadBuffer, into a
// buffer under the WebSocket takes one per batch of frames instead.
using BufferedSocket = beast::buffered_read_stream<Socket, beast::flat_buffer>;
constexpr std::size_t kExecReadBuffer = 64 * 1024;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;

constexpr const char* kUserAgent = "kubectl-meshca";
constexpr std::uint64_t kMaxBody = std::uint64_t{1} << 30;

// Why one attempt failed, and whether another attempt may succeed.
struct Failure {
  std::string reason;
  bool retryable = false;
  bool timed_out = false;
};
template <class T>
using Attempt = std::variant<T, Failure>;

// Closes the socket when the time is up, or soon after `cancel` becomes true (Ctrl-C), which
// makes every pending operation on it fail.
class Deadline {
 public:
  Deadline(Socket& socket, Clock::duration timeout, const std::atomic<bool>* cancel)
      : timer_(socket.get_executor()),
        state_(std::make_shared<State>(State{&socket, Clock::now() + timeout, cancel})) {
    arm(timer_, state_);
  }
  ~Deadline() {
    state_->socket = nullptr; // a handler already queued must not touch the socket
    timer_.cancel();
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;
  bool expired() const { return state_->expired; }
  bool cancelled() const { return state_->cancelled; }

 private:
  struct State {
    Socket* socket;
    Clock::time_point end;
    const std::atomic<bool>* cancel;
    bool expired = false;
    bool cancelled = false;
  };
  static constexpr std::chrono::milliseconds kCancelPoll{50};

  static void arm(asio::steady_timer& timer, const std::shared_ptr<State>& state) {
    timer.expires_at(state->cancel == nullptr ? state->end
                                              : std::min(state->end, Clock::now() + kCancelPoll));
    timer.async_wait([&timer, state](const boost::system::error_code& ec) {
      if (ec || state->socket == nullptr)
        return;
      state->cancelled = state->cancel != nullptr && state->cancel->load();
      state->expired = !state->cancelled && Clock::now() >= state->end;
      if (!state->cancelled && !state->expired)
        return arm(timer, state);
      boost::system::error_code ignored;
      state->socket->close(ignored);
    });
  }

  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

std::string seconds_text(Clock::duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

Failure failure_from(const boost::system::system_error& e, const Deadline& deadline,
                     Clock::duration timeout) {
  if (deadline.cancelled())
    return {"interrupted (Ctrl-C)", false, false};
  if (deadline.expired())
    return {"no answer within " + seconds_text(timeout), false, true};
  return {e.code().message(), true, false};
}

} // namespace

struct ApiClient::Impl {
  Impl(std::string path, ApiClientOptions opts)
      : endpoint(path), options(opts), thread([this] { io.run(); }) {}
  ~Impl() {
    work.reset();
    io.stop();
    thread.join();
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  awaitable<Attempt<HttpResponse>> get_once(std::string target, Clock::duration timeout,
                                            bool& reused);
  awaitable<Attempt<HttpResponse>> get(std::string target, Clock::duration timeout,
                                       std::string& attempts_note);
  // With a `sink`, stdout goes there as it arrives (and the sink is finished at the end).
  awaitable<Attempt<ExecOutput>> exec_once(std::string target, Clock::duration timeout,
                                           ChunkQueue* sink);
  awaitable<Attempt<ExecOutput>> exec(std::string target, Clock::duration timeout,
                                      std::shared_ptr<ChunkQueue> sink);
  awaitable<void> pause(std::chrono::milliseconds delay);

  void echo(const std::string& line) {
    if (options.echo == nullptr)
      return;
    const std::lock_guard lock(echo_mutex);
    // One write per line: kubectl processes' echo lines (kube/kubectl.cpp) go to the same
    // stream from other threads, and a line end written apart can land after one of theirs.
    *options.echo << (line + '\n') << std::flush;
  }

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  Endpoint endpoint;
  ApiClientOptions options;
  std::vector<Socket> idle; // keep-alive connections; touched on the I/O thread only
  std::mutex echo_mutex;
  std::thread thread; // last: starts once everything above exists
};

awaitable<void> ApiClient::Impl::pause(std::chrono::milliseconds delay) {
  asio::steady_timer timer(io);
  timer.expires_after(delay);
  co_await timer.async_wait(use_awaitable);
}

awaitable<Attempt<HttpResponse>> ApiClient::Impl::get_once(std::string target,
                                                           Clock::duration timeout, bool& reused) {
  reused = !idle.empty();
  Socket socket(io);
  if (reused) {
    socket = std::move(idle.back());
    idle.pop_back();
  }
  const Deadline deadline(socket, timeout, options.cancel);
  try {
    if (!reused)
      co_await socket.async_connect(endpoint, use_awaitable);
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "localhost");
    request.set(http::field::user_agent, kUserAgent);
    request.set(http::field::accept, "application/json");
    request.keep_alive(true);
    co_await http::async_write(socket, request, use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    co_await http::async_read(socket, buffer, parser, use_awaitable);
    auto response = parser.release();
    if (response.keep_alive() && buffer.size() == 0 && idle.size() < options.max_idle_connections)
      idle.push_back(std::move(socket));
    co_return HttpResponse{static_cast<int>(response.result_int()), std::move(response.body()), {}};
  } catch (const boost::system::system_error& e) {
    co_return failure_from(e, deadline, timeout);
  }
}

// Each attempt has `timeout`; the retry policy (kube/retry.h) bounds the attempts and the time.
awaitable<Attempt<HttpResponse>> ApiClient::Impl::get(std::string target, Clock::duration timeout,
                                                      std::string& attempts_note) {
  RetryBudget budget(options.retry);
  while (true) {
    bool reused = false;
    auto result = co_await get_once(target, timeout, reused);
    const auto* failure = std::get_if<Failure>(&result);
    if (failure != nullptr && reused && failure->retryable)
      continue; // a keep-alive connection the proxy had closed: not the server's fault
    const bool transient = failure != nullptr
                               ? failure->retryable || failure->timed_out
                               : is_retryable_http_status(std::get<HttpResponse>(result).status);
    const auto delay = budget.next_delay(transient, options.cancel);
    if (!delay) {
      attempts_note = budget.attempts_note();
      co_return result;
    }
    co_await pause(*delay);
  }
}

awaitable<Attempt<ExecOutput>>
ApiClient::Impl::exec_once(std::string target, Clock::duration timeout, ChunkQueue* sink) {
  websocket::stream<BufferedSocket> ws(io);
  ws.next_layer().capacity(kExecReadBuffer);
  ws.next_layer().buffer().reserve(kExecReadBuffer); // Beast reads up to what is reserved
  Socket& socket = ws.next_layer().next_layer();
  const Deadline deadline(socket, timeout, options.cancel);
  try {
    co_await socket.async_connect(endpoint, use_awaitable);
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(http::field::sec_websocket_protocol, kExecSubprotocols);
      request.set(http::field::user_agent, kUserAgent);
    }));
    ws.read_message_max(kMaxBody);
    websocket::response_type response;
    boost::system::error_code ec;
    co_await ws.async_handshake(response, "localhost", target,
                                asio::redirect_error(use_awaitable, ec));
    if (ec && response.result_int() != 0 && response.result_int() != 101) {
      const int status = static_cast<int>(response.result_int());
      co_return Failure{"HTTP " + std::to_string(status) + ": " +
                            api_status_message(response.body()),
                        is_transient_http_failure(status, response.body())};
    }
    if (ec)
      throw boost::system::system_error(ec);
    ExecStreams streams =
        sink == nullptr
            ? ExecStreams()
            : ExecStreams([sink](std::string_view out) { sink->push(std::string(out)); });
    beast::flat_buffer buffer;
    while (true) {
      co_await ws.async_read(buffer, asio::redirect_error(use_awaitable, ec));
      if (ec == websocket::error::closed)
        break;
      if (ec)
        throw boost::system::system_error(ec);
      const auto data = buffer.cdata();
      auto fed = streams.feed({static_cast<const char*>(data.data()), data.size()});
      buffer.consume(buffer.size());
      if (!fed)
        co_return Failure{fed.error().message, false};
    }
    auto output = streams.finish();
    if (!output)
      co_return Failure{output.error().message, false};
    co_return std::move(*output);
  } catch (const boost::system::system_error& e) {
    co_return failure_from(e, deadline, timeout);
  }
}

// `timeout` covers every attempt: a hung exec is not tried again, only a connection that failed
// (refused, reset, a proxy's 502/503/504) is, per the retry policy.
// With a sink, an exec whose output has started to flow is not tried again: the reader has
// read part of it.
awaitable<Attempt<ExecOutput>> ApiClient::Impl::exec(std::string target, Clock::duration timeout,
                                                     std::shared_ptr<ChunkQueue> sink) {
  const auto end = Clock::now() + timeout;
  RetryBudget budget(options.retry);
  // However this ends (an exception included), the reader waiting on the sink is let go.
  const std::unique_ptr<ChunkQueue, void (*)(ChunkQueue*)> finish_sink(
      sink.get(), [](ChunkQueue* queue) { queue->finish(); });
  while (true) {
    auto result = co_await exec_once(target, end - Clock::now(), sink.get());
    const auto* failure = std::get_if<Failure>(&result);
    const bool again = failure != nullptr && failure->retryable && !(sink && sink->started());
    const auto delay = budget.next_delay(again, options.cancel);
    if (!delay || Clock::now() + *delay >= end)
      co_return result;
    co_await pause(*delay);
  }
}

ApiClient::ApiClient(std::string socket_path, ApiClientOptions options)
    : socket_path_(std::move(socket_path)), impl_(std::make_unique<Impl>(socket_path_, options)) {}

ApiClient::~ApiClient() = default;

Result<HttpResponse> ApiClient::get(const std::string& target, std::chrono::milliseconds timeout) {
  impl_->echo("+ GET " + target);
  std::string attempts;
  auto attempt =
      asio::co_spawn(impl_->io, impl_->get(target, timeout, attempts), asio::use_future).get();
  if (auto* failure = std::get_if<Failure>(&attempt))
    return cluster_error(
        "GET " + target + ": " +
        (failure->timed_out ? "no answer within " + seconds_text(timeout) : failure->reason) +
        attempts);
  HttpResponse response = std::move(std::get<HttpResponse>(attempt));
  response.attempts_note = std::move(attempts);
  return response;
}

namespace {

Result<ExecOutput> exec_result(Attempt<ExecOutput>&& attempt, std::chrono::milliseconds timeout) {
  if (auto* failure = std::get_if<Failure>(&attempt))
    return cluster_error(failure->timed_out ? "no answer within " + seconds_text(timeout)
                                            : failure->reason);
  return std::move(std::get<ExecOutput>(attempt));
}

} // namespace

Result<ExecOutput> ApiClient::exec(const std::string& target, std::chrono::milliseconds timeout) {
  impl_->echo("+ GET " + target + " (WebSocket " + kExecSubprotocols + ")");
  return exec_result(
      asio::co_spawn(impl_->io, impl_->exec(target, timeout, nullptr), asio::use_future).get(),
      timeout);
}

Result<ExecOutput> ApiClient::exec_streamed(const std::string& target,
                                            std::chrono::milliseconds timeout,
                                            const std::function<void(ChunkSource&)>& read) {
  impl_->echo("+ GET " + target + " (WebSocket " + kExecSubprotocols + ")");
  auto sink = std::make_shared<ChunkQueue>();
  auto attempt = asio::co_spawn(impl_->io, impl_->exec(target, timeout, sink), asio::use_future);
  read(*sink);
  sink->stop_reading(); // the rest of a stream the reader gave up on is dropped as it comes
  return exec_result(attempt.get(), timeout);
}

} // namespace meshca
