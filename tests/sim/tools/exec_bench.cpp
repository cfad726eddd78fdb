// meshca-sim-exec-bench: measures how many execs per second the simulator sustains, with a raw
// WebSocket client (v5.channel.k8s.io), without kubectl's process start-up in the way.
//   meshca-sim-exec-bench PORT NAMESPACE POD [--concurrency N] [--total N] [--container C]
//                         [--command WORD]...
// Prints: execs, seconds, execs/s, bytes of stdout, latency p50/p99 in ms, failures.

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string port, ns, pod, container = "istio-proxy";
  std::vector<std::string> command;
  int concurrency = 16, total = 1000;
};

std::string escape(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      out += buffer;
    }
  }
  return out;
}

struct Outcome {
  bool ok = false;
  std::size_t stdout_bytes = 0;
};

// One exec: connect, upgrade, read channel messages until the server closes.
Outcome exec_once(const Options& o, const std::string& target) {
  Outcome outcome;
  net::io_context io;
  tcp::resolver resolver(io);
  websocket::stream<tcp::socket> ws(io);
  boost::system::error_code ec;
  net::connect(ws.next_layer(), resolver.resolve("127.0.0.1", o.port), ec);
  if (ec)
    return outcome;
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(boost::beast::http::field::sec_websocket_protocol, "v5.channel.k8s.io");
  }));
  ws.handshake("127.0.0.1:" + o.port, target, ec);
  if (ec)
    return outcome;
  std::string status;
  while (true) {
    boost::beast::flat_buffer buffer;
    ws.read(buffer, ec);
    if (ec)
      break;
    std::string message = boost::beast::buffers_to_string(buffer.data());
    if (message.empty())
      continue;
    if (message[0] == 1)
      outcome.stdout_bytes += message.size() - 1;
    if (message[0] == 3)
      status = message.substr(1);
  }
  outcome.ok = status.find("\"Success\"") != std::string::npos;
  return outcome;
}

bool parse(int argc, char** argv, Options& o) {
  if (argc < 4)
    return false;
  o.port = argv[1];
  o.ns = argv[2];
  o.pod = argv[3];
  for (int i = 4; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--concurrency")
      o.concurrency = std::stoi(argv[i + 1]);
    else if (flag == "--total")
      o.total = std::stoi(argv[i + 1]);
    else if (flag == "--container")
      o.container = argv[i + 1];
    else if (flag == "--command")
      o.command.emplace_back(argv[i + 1]);
    else
      return false;
  }
  if (o.command.empty())
    o.command = {"pilot-agent", "request", "GET", "config_dump"};
  return o.concurrency > 0 && o.total > 0;
}

} // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::cerr << "usage: meshca-sim-exec-bench PORT NAMESPACE POD [--concurrency N] [--total N] "
                 "[--container C] "
                 "[--command WORD]...\n";
    return 2;
  }
  std::string target = "/api/v1/namespaces/" + escape(o.ns) + "/pods/" + escape(o.pod) +
                       "/exec?container=" + escape(o.container) + "&stdout=true&stderr=true";
  for (const auto& word : o.command)
    target += "&command=" + escape(word);

  std::atomic<int> next{0}, failures{0};
  std::atomic<std::size_t> bytes{0};
  std::mutex mu;
  std::vector<double> latencies;
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < o.concurrency; ++t)
    workers.emplace_back([&] {
      std::vector<double> mine;
      while (next.fetch_add(1) < o.total) {
        auto begin = Clock::now();
        auto outcome = exec_once(o, target);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
        if (!outcome.ok)
          ++failures;
        bytes += outcome.stdout_bytes;
      }
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  for (auto& worker : workers)
    worker.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0
                             : latencies[static_cast<std::size_t>(p * (latencies.size() - 1))];
  };
  std::printf("execs=%zu seconds=%.3f execs_per_s=%.1f stdout_bytes=%zu p50_ms=%.2f p99_ms=%.2f "
              "failures=%d\n",
              latencies.size(), seconds, static_cast<double>(latencies.size()) / seconds,
              bytes.load(), pct(0.5), pct(0.99), failures.load());
  return failures.load() == 0 ? 0 : 1;
}
