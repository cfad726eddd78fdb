#include "meshca/util/worker_pool.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace meshca {

namespace {

// State shared by the workers of one parallel_for call.
class WorkQueue {
 public:
  WorkQueue(std::size_t count, const std::function<void(std::size_t)>& work,
            const std::atomic<bool>* cancel)
      : count_(count), work_(work), cancel_(cancel) {}

  // Takes items until none are left, the caller cancels, or some item has thrown.
  void drain() {
    while (!stopped()) {
      const std::size_t index = next_.fetch_add(1);
      if (index >= count_)
        return;
      try {
        work_(index);
      } catch (...) {
        const std::lock_guard lock(mutex_);
        if (!error_)
          error_ = std::current_exception();
        failed_.store(true);
      }
    }
  }

  void rethrow_first_error() {
    if (error_)
      std::rethrow_exception(error_);
  }

 private:
  bool stopped() const { return failed_.load() || (cancel_ != nullptr && cancel_->load()); }

  const std::size_t count_;
  const std::function<void(std::size_t)>& work_;
  const std::atomic<bool>* cancel_;
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr error_;
};

} // namespace

void parallel_for(std::size_t count, std::size_t parallelism,
                  const std::function<void(std::size_t index)>& work,
                  const std::atomic<bool>* cancel) {
  if (count == 0)
    return;
  const std::size_t threads = std::clamp<std::size_t>(parallelism, 1, count);
  WorkQueue queue(count, work, cancel);
  {
    std::vector<std::jthread> helpers;
    helpers.reserve(threads - 1);
    for (std::size_t i = 1; i < threads; ++i)
      helpers.emplace_back([&queue] { queue.drain(); });
    queue.drain();
  } // joins the helpers
  queue.rethrow_first_error();
}

} // namespace meshca
