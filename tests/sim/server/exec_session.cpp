// Exec over WebSocket, as the kubelet answers `kubectl exec` through the API server:
// subprotocol v5.channel.k8s.io (or v4), binary messages whose first byte is the channel
// (1 stdout, 2 stderr, 3 status JSON), then a normal close.

#include "server/connection.h"
#include "server/json_util.h"

#include <algorithm>
#include <array>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <thread>
#include <vector>

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

// A message's frames as Beast and Go's WebSocket writers cut them (a frame per 4 KB), written
// with as few system calls as the socket takes: the client reads the same frames as from
// ws.write, and the simulator, which shares the machine with what it measures, spends one
// loopback send on many frames instead of one per frame.
class FrameWriter {
 public:
  // Appends one binary message: the channel byte, then `data` (not copied: it must outlive send).
  void add_message(const char& channel, std::string_view data) {
    const std::size_t size = data.size() + 1;
    std::size_t sent = 0;
    while (sent < size) {
      const std::size_t length = std::min(kFrame, size - sent);
      add_header(sent == 0, sent + length == size, length);
      std::size_t from = sent;
      if (sent == 0) {
        buffers_.emplace_back(&channel, 1);
        from = 1;
      }
      buffers_.emplace_back(data.data() + (from - 1), sent + length - from);
      sent += length;
    }
  }

  bool send(tcp::socket& socket) {
    boost::system::error_code ec;
    boost::asio::write(socket, buffers_, ec);
    return !ec;
  }

 private:
  static constexpr std::size_t kFrame = 4096;

  void add_header(bool first, bool last, std::size_t length) {
    auto& header = headers_.emplace_back();
    std::size_t size = 2;
    header[0] = static_cast<unsigned char>((last ? 0x80 : 0x00) | (first ? 0x2 : 0x0));
    if (length < 126) {
      header[1] = static_cast<unsigned char>(length);
    } else { // a frame is at most kFrame bytes: the 16-bit length
      header[1] = 126;
      header[2] = static_cast<unsigned char>(length >> 8);
      header[3] = static_cast<unsigned char>(length & 0xFF);
      size = 4;
    }
    buffers_.emplace_back(header.data(), size);
  }

  std::deque<std::array<unsigned char, 4>> headers_; // stable addresses for buffers_
  std::vector<boost::asio::const_buffer> buffers_;
};

bool send_channel(websocket::stream<tcp::socket&>& ws, char channel, std::string_view data,
                  Stats& stats) {
  FrameWriter frames;
  std::size_t offset = 0;
  do {
    frames.add_message(channel, data.substr(offset, kChunk));
    offset += kChunk;
  } while (offset < data.size());
  if (!frames.send(ws.next_layer()))
    return false;
  stats.add("exec.bytes_out", static_cast<std::int64_t>(data.size()));
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
