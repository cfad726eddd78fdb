// Watch streams: a chunked HTTP response with one JSON event per line, fed by a store watch.

#include "server/connection.h"
#include "server/json_util.h"

#include <condition_variable>
#include <deque>
#include <mutex>

namespace sim {
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

namespace {

// Filled by the store (under its lock), drained by the connection thread.
struct WatchQueue {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Change> changes;
};

bool write_chunk(tcp::socket& socket, const std::string& data) {
  boost::system::error_code ec;
  boost::asio::write(socket, http::make_chunk(boost::asio::buffer(data)), ec);
  return !ec;
}

class ActiveWatch {
 public:
  ActiveWatch(Stats& stats) : stats_(stats) { stats_.add("watches.active"); }
  ~ActiveWatch() { stats_.add("watches.active", -1); }
  ActiveWatch(const ActiveWatch&) = delete;
  ActiveWatch& operator=(const ActiveWatch&) = delete;

 private:
  Stats& stats_;
};

} // namespace

bool serve_watch(tcp::socket& socket, const ApiRequest& request, const Route& route,
                 unsigned http_version, const ConnectionContext& context) {
  auto& api = context.api;
  auto planned = api.prepare_watch(request, route);
  if (auto* error = std::get_if<ApiResponse>(&planned))
    return write_response(socket, *error, http_version, true);
  const auto& plan = std::get<WatchPlan>(planned);

  auto queue = std::make_shared<WatchQueue>();
  auto watched = api.store().watch(plan.plural, plan.ns, plan.since, [queue](const Change& change) {
    std::lock_guard lock(queue->mu);
    queue->changes.push_back(change);
    queue->cv.notify_one();
  });

  http::response<http::empty_body> res{http::status::ok, http_version};
  res.set(http::field::server, "meshca-sim");
  res.set(http::field::content_type, "application/json");
  res.chunked(true);
  http::response_serializer<http::empty_body> serializer{res};
  boost::system::error_code ec;
  http::write_header(socket, serializer, ec);
  if (ec) {
    if (auto* id = std::get_if<std::uint64_t>(&watched))
      api.store().unwatch(*id);
    return false;
  }
  if (auto* error = std::get_if<Store::WriteError>(&watched)) {
    write_chunk(socket, "{\"type\":\"ERROR\",\"object\":" +
                            status_json(error->http_status, error->reason, error->message) + "}\n");
    boost::asio::write(socket, http::make_chunk_last(), ec);
    return !ec;
  }
  auto watch_id = std::get<std::uint64_t>(watched);
  api.stats().add("watches");
  ActiveWatch active(api.stats());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(plan.timeout_seconds);
  bool healthy = true;
  while (healthy) {
    std::deque<Change> batch;
    {
      std::unique_lock lock(queue->mu);
      queue->cv.wait_for(lock, std::chrono::milliseconds(200),
                         [&] { return !queue->changes.empty(); });
      batch.swap(queue->changes);
    }
    for (const auto& change : batch)
      if (auto line = api.watch_event(plan, change); line && !write_chunk(socket, *line))
        healthy = false;
    if (plan.timeout_seconds > 0 && std::chrono::steady_clock::now() >= deadline)
      break;
    if (healthy && batch.empty() &&
        peer_gone(socket, std::chrono::milliseconds(0), context.stopping))
      healthy = false;
  }
  api.store().unwatch(watch_id);
  if (!healthy)
    return false;
  boost::asio::write(socket, http::make_chunk_last(), ec);
  return !ec;
}

} // namespace sim
