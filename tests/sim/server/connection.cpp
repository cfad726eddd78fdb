#include "server/connection.h"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <thread>

namespace sim {
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

namespace {

constexpr std::uint64_t kBodyLimit = 64ULL * 1024 * 1024;

ApiRequest to_api_request(const http::request<http::string_body>& req) {
  ApiRequest request;
  request.method = std::string(req.method_string());
  parse_target(std::string_view(req.target().data(), req.target().size()), request);
  request.content_type = std::string(req[http::field::content_type]);
  request.accept = std::string(req[http::field::accept]);
  request.body = req.body();
  request.websocket_upgrade = boost::beast::websocket::is_upgrade(req);
  return request;
}

void drop(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

// The Status reason the API server gives with `status` (kubectl prints it in parentheses);
// "" (StatusReasonUnknown) for codes it has no reason for.
std::string fault_reason(int status) {
  switch (status) {
  case 400:
    return "BadRequest";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "NotFound";
  case 409:
    return "Conflict";
  case 410:
    return "Expired";
  case 422:
    return "Invalid";
  case 429:
    return "TooManyRequests";
  case 500:
    return "InternalError";
  case 503:
    return "ServiceUnavailable";
  case 504:
    return "Timeout";
  default:
    return status >= 500 ? "InternalError" : "";
  }
}

// Applies the request faults. Returns false when the connection was dropped; sets `answer`
// when an injected error replaces the real answer.
bool apply_faults(tcp::socket& socket, const ApiRequest& request, const Route& route,
                  const ConnectionContext& context, std::optional<ApiResponse>& answer) {
  if (route.kind != Route::Kind::resource)
    return true;
  auto key = request_key(route);
  auto& faults = context.api.faults();
  auto& stats = context.api.stats();
  if (faults.take_drop(key)) {
    stats.add("faults.drops");
    context.api.log_fault(request, route, 0);
    drop(socket);
    return false;
  }
  if (int ms = faults.slow_ms(key); ms > 0) {
    stats.add("faults.slow");
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
  if (auto fault = faults.take_api_error(key)) {
    stats.add("faults.api_errors");
    std::string reason = fault_reason(fault->status);
    std::string message = fault->message.empty()
                              ? "simulated fault: " + route.verb + " " + route.plural + " failed"
                              : fault->message;
    answer = error_response(fault->status, reason, message);
    context.api.log_fault(request, route, fault->status);
  }
  return true;
}

} // namespace

bool write_response(tcp::socket& socket, const ApiResponse& response, unsigned http_version,
                    bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(response.status), http_version};
  res.set(http::field::server, "meshca-sim");
  res.set(http::field::content_type, response.content_type);
  res.set("Audit-Id", "meshca-sim");
  res.keep_alive(keep_alive);
  res.body() = response.body;
  res.prepare_payload();
  boost::system::error_code ec;
  http::write(socket, res, ec);
  return !ec;
}

bool peer_gone(tcp::socket& socket, std::chrono::milliseconds timeout,
               const std::atomic<bool>& stopping) {
  if (stopping)
    return true;
  pollfd fd{socket.native_handle(), POLLIN | POLLRDHUP, 0};
  int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (stopping)
    return true;
  if (ready <= 0)
    return false;
  if (fd.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))
    return true;
  char byte = 0;
  return ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}

void serve_connection(tcp::socket socket, const ConnectionContext& context) {
  auto& stats = context.api.stats();
  boost::beast::flat_buffer buffer;
  while (!context.stopping) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    boost::system::error_code ec;
    http::read(socket, buffer, parser, ec);
    if (ec)
      break;
    auto& req = parser.get();
    ApiRequest request = to_api_request(req);
    Route route = classify(request);
    stats.add("requests");
    if (!route.verb.empty())
      stats.add("verb." + route.verb);
    std::optional<ApiResponse> answer;
    if (!apply_faults(socket, request, route, context, answer))
      return;
    bool keep_alive = req.keep_alive();
    if (!answer && route.verb == "exec") {
      serve_exec(socket, req, request, route, context);
      break;
    }
    if (!answer && route.verb == "watch") {
      if (!serve_watch(socket, request, route, req.version(), context))
        break;
      continue;
    }
    if (!answer)
      answer = context.api.handle(request, route);
    stats.add("code." + std::to_string(answer->status));
    if (!write_response(socket, *answer, req.version(), keep_alive) || !keep_alive)
      break;
  }
  drop(socket);
}

} // namespace sim
