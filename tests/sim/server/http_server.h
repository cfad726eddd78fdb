#pragma once
// The HTTP/1.1 transport (Boost.Beast): loopback only, one thread per connection with
// keep-alive, chunked watch streams and WebSocket exec (v5.channel.k8s.io, v4 as fallback).
// A connection's thread may sleep (exec latency, slow responses) without delaying any other
// connection.

#include "server/api_server.h"
#include "server/exec.h"

#include <memory>

namespace sim {

class HttpServer {
 public:
  HttpServer(ApiServer& api, ExecHandler exec_handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds 127.0.0.1:port (0: an ephemeral port). Returns the bound port; throws
  // std::system_error when the port cannot be bound.
  unsigned short listen(unsigned short port);
  // Accepts connections until stop() is called; returns after every connection ended.
  void run();
  // Safe from any thread (not from a signal handler): closes the listener, ends watches, hung
  // execs and idle keep-alive connections.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace sim
