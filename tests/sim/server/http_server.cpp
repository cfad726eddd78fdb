#include "server/http_server.h"

#include "server/connection.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <sys/socket.h>
#include <thread>

namespace sim {
using boost::asio::ip::tcp;

struct HttpServer::Impl {
  ApiServer& api;
  ExecHandler exec_handler;
  boost::asio::io_context io;
  tcp::acceptor acceptor{io};
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable all_done;
  std::multiset<int> open_fds; // sockets of live connections, shut down on stop()
  int live = 0;

  Impl(ApiServer& a, ExecHandler handler) : api(a), exec_handler(std::move(handler)) {}

  void accept_next() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) {
        if (!stopping && acceptor.is_open())
          accept_next();
        return;
      }
      socket.set_option(tcp::no_delay(true), ec);
      start_connection(std::move(socket));
      accept_next();
    });
  }

  void start_connection(tcp::socket socket) {
    int fd = socket.native_handle();
    {
      std::lock_guard lock(mu);
      open_fds.insert(fd);
      ++live;
    }
    api.stats().add("connections");
    api.stats().add("connections.active");
    std::thread([this, fd, s = std::move(socket)]() mutable {
      ConnectionContext context{api, exec_handler, stopping};
      serve_connection(std::move(s), context);
      api.stats().add("connections.active", -1);
      std::lock_guard lock(mu);
      if (auto it = open_fds.find(fd); it != open_fds.end())
        open_fds.erase(it);
      if (--live == 0)
        all_done.notify_all();
    }).detach();
  }
};

HttpServer::HttpServer(ApiServer& api, ExecHandler exec_handler)
    : impl_(std::make_unique<Impl>(api, std::move(exec_handler))) {}

HttpServer::~HttpServer() {
  stop();
}

unsigned short HttpServer::listen(unsigned short port) {
  tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(1024);
  return impl_->acceptor.local_endpoint().port();
}

void HttpServer::run() {
  impl_->accept_next();
  impl_->io.run();
  // Wake every connection blocked in a read; each thread then ends on its own.
  std::unique_lock lock(impl_->mu);
  for (int fd : impl_->open_fds)
    ::shutdown(fd, SHUT_RDWR);
  impl_->all_done.wait_for(lock, std::chrono::seconds(5), [&] { return impl_->live == 0; });
}

void HttpServer::stop() {
  if (impl_->stopping.exchange(true))
    return;
  boost::asio::post(impl_->io, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->io.stop();
  });
}

} // namespace sim
