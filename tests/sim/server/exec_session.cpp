// Exec over WebSocket, as the kubelet answers `kubectl exec` through the API server:
// subprotocol v5.channel.k8s.io (or v4), binary messages whose first byte is the channel
// (1 stdout, 2 stderr, 3 status JSON), then a normal close.

#include "server/connection.h"
#include "server/json_util.h"

#include <algorithm>
#include <array>
#include <boost/beast/websocket.hpp>
#include <thread>

namespace sim {
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using boost::asio::ip::tcp;

namespace {

constexpr std::size_t kChunk = 32 * 1024;

// The first protocol we speak among those the client offers, or "" when none.
std::string pick_protocol(std::string_view offered) {
  for (const char* protocol : {"v5.channel.k8s.io", "v4.channel.k8s.io"})
    if (offered.find(protocol) != std::string_view::npos)
      return protocol;
  return "";
}

std::string status_message(const ExecRequest& exec, const ExecResult& result) {
  if (result.exit_code == 0)
    return R"({"metadata":{},"status":"Success"})";
  std::string command;
  for (const auto& word : exec.command)
    command += (command.empty() ? "" : " ") + word;
  std::string code = std::to_string(result.exit_code);
  return R"({"metadata":{},"status":"Failure","message":)" +
         quote("command terminated with non-zero exit code: error executing command [" + command +
               "], exit code " + code) +
         R"(,"reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":")" +
         code + R"("}]}})";
}

constexpr int kMinExecStartMs = 30;

bool send_channel(websocket::stream<tcp::socket&>& ws, char channel, std::string_view data,
                  Stats& stats) {
  boost::system::error_code ec;
  std::size_t offset = 0;
  do {
    // The channel byte, then the piece where it lies: a message without a copy of the output.
    const std::string_view piece = data.substr(offset, kChunk);
    const std::array<boost::asio::const_buffer, 2> message = {
        boost::asio::buffer(&channel, 1), boost::asio::buffer(piece.data(), piece.size())};
    ws.write(message, ec);
    if (ec)
      return false;
    stats.add("exec.bytes_out", static_cast<std::int64_t>(piece.size()));
    offset += kChunk;
  } while (offset < data.size());
  return true;
}

// Runs the command with the exec faults applied. nullopt: the exec hangs until the client
// leaves (or the hang is lifted, or the server stops).
std::optional<ExecResult> run_command(tcp::socket& socket, const ExecRequest& exec,
                                      const ConnectionContext& context) {
  auto& faults = context.api.faults();
  // kubectl's WebSocket client starts reading before it has registered its streams and drops
  // frames that arrive earlier ("Unknown stream id 1"); a real container runtime takes a few
  // milliseconds to start the process, so no answer comes sooner than kMinExecStart.
  const int latency = std::max(faults.exec_latency_ms(), kMinExecStartMs);
  std::this_thread::sleep_for(std::chrono::milliseconds(latency));
  if (faults.exec_hangs(exec.ns, exec.pod)) {
    context.api.stats().add("exec.hangs");
    while (faults.exec_hangs(exec.ns, exec.pod))
      if (peer_gone(socket, std::chrono::milliseconds(100), context.stopping))
        return std::nullopt;
  }
  if (auto fault = faults.exec_error(exec.ns, exec.pod))
    return ExecResult{"", fault->stderr_text, fault->exit_code};
  if (!context.exec_handler)
    return ExecResult{"", "meshca-sim: no exec handler is installed\n", 126};
  return context.exec_handler(exec);
}

} // namespace

void serve_exec(tcp::socket& socket, const http::request<http::string_body>& http_request,
                const ApiRequest& request, const Route& route, const ConnectionContext& context) {
  auto& stats = context.api.stats();
  auto prepared = context.api.prepare_exec(request, route);
  if (auto* error = std::get_if<ApiResponse>(&prepared)) {
    stats.add("exec.rejected");
    write_response(socket, *error, http_request.version(), false);
    return;
  }
  const auto& exec = std::get<ExecRequest>(prepared);
  auto offered = http_request[http::field::sec_websocket_protocol];
  std::string protocol = pick_protocol(std::string_view(offered.data(), offered.size()));
  if (!request.websocket_upgrade || protocol.empty()) {
    stats.add("exec.rejected");
    write_response(
        socket,
        error_response(
            400, "BadRequest",
            "meshca-sim serves exec over WebSocket (v5.channel.k8s.io or v4.channel.k8s.io) only"),
        http_request.version(), false);
    return;
  }
  websocket::stream<tcp::socket&> ws(socket);
  ws.set_option(websocket::stream_base::decorator([protocol](websocket::response_type& res) {
    res.set(http::field::sec_websocket_protocol, protocol);
    res.set(http::field::server, "meshca-sim");
  }));
  boost::system::error_code ec;
  ws.accept(http_request, ec);
  if (ec)
    return;
  ws.binary(true);
  stats.add("execs.active");
  auto result = run_command(socket, exec, context);
  if (result) {
    stats.add("execs");
    std::string what = exec.ns + "/" + exec.pod + "/" + exec.container;
    for (const auto& word : exec.command)
      what += " " + word;
    stats.add_distinct("execs.distinct", std::move(what));
    if (result->exit_code != 0)
      stats.add("exec.failures");
    const auto cut = context.api.faults().exec_cut_after(exec.ns, exec.pod);
    if (cut && result->out.size() > *cut) {
      // The connection is lost mid-answer: part of stdout, then no status and no close frame.
      if (*cut > 0)
        send_channel(ws, 1, std::string_view(result->out).substr(0, *cut), stats);
      socket.close(ec);
      stats.add("execs.active", -1);
      return;
    }
    bool ok = (result->out.empty() || send_channel(ws, 1, result->out, stats)) &&
              (result->err.empty() || send_channel(ws, 2, result->err, stats)) &&
              send_channel(ws, 3, status_message(exec, *result), stats);
    if (ok)
      ws.close(websocket::close_code::normal, ec);
  }
  stats.add("execs.active", -1);
}

} // namespace sim
