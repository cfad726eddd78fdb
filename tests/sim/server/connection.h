#pragma once
// One client connection: reads requests in a keep-alive loop and answers them (plain
// responses, watch streams, exec sessions). Internal to the HTTP transport.

#include "server/api_server.h"
#include "server/exec.h"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>

namespace sim {

struct ConnectionContext {
  ApiServer& api;
  const ExecHandler& exec_handler;
  const std::atomic<bool>& stopping;
};

// Serves `socket` until the client closes it, an error occurs or the server stops.
void serve_connection(boost::asio::ip::tcp::socket socket, const ConnectionContext& context);

// Waits up to `timeout` for the peer to close or send data on `socket`; true when the peer
// has gone away (EOF, reset) or the server is stopping.
bool peer_gone(boost::asio::ip::tcp::socket& socket, std::chrono::milliseconds timeout,
               const std::atomic<bool>& stopping);

// Streams a watch over the connection. Returns false when the connection must be closed.
bool serve_watch(boost::asio::ip::tcp::socket& socket, const ApiRequest& request,
                 const Route& route, unsigned http_version, const ConnectionContext& context);

// Runs an exec: a WebSocket session when the request is an upgrade, else (kubectl's SPDY
// fallback) an error answer. The connection is always closed afterwards.
void serve_exec(boost::asio::ip::tcp::socket& socket,
                const boost::beast::http::request<boost::beast::http::string_body>& http_request,
                const ApiRequest& request, const Route& route, const ConnectionContext& context);

// Writes a complete response. Returns false on a write error.
bool write_response(boost::asio::ip::tcp::socket& socket, const ApiResponse& response,
                    unsigned http_version, bool keep_alive);

} // namespace sim
