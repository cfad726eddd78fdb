#include "meshca/util/worker_pool.h"

#include <chrono>
#include <doctest/doctest.h>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace meshca {

namespace {

// Records how many work items run at the same moment.
struct ConcurrencyProbe {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  void enter() {
    const int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
  }
  void leave() { --running; }
};

} // namespace

TEST_CASE("every index runs exactly once") {
  std::vector<std::atomic<int>> hits(1000);
  parallel_for(hits.size(), 8, [&](std::size_t i) { ++hits[i]; });
  for (std::size_t i = 0; i < hits.size(); ++i) {
    CAPTURE(i);
    CHECK(hits[i].load() == 1);
  }
}

TEST_CASE("concurrency reaches but never passes the limit") {
  ConcurrencyProbe probe;
  parallel_for(24, 4, [&](std::size_t) {
    probe.enter();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    probe.leave();
  });
  CHECK(probe.peak.load() == 4);
}

TEST_CASE("parallelism is clamped to [1, count]") {
  ConcurrencyProbe probe;
  std::set<std::thread::id> threads;
  std::mutex mutex;
  parallel_for(3, 100, [&](std::size_t) {
    probe.enter();
    {
      const std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    probe.leave();
  });
  CHECK(probe.peak.load() == 3);
  CHECK(threads.size() == 3);

  std::vector<std::size_t> order;
  parallel_for(5, 0, [&](std::size_t i) { order.push_back(i); }); // 0 means one at a time
  CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4});

  bool called = false;
  parallel_for(0, 4, [&](std::size_t) { called = true; });
  CHECK_FALSE(called);
}

TEST_CASE("with parallelism 1 the work runs on the calling thread") {
  const auto caller = std::this_thread::get_id();
  bool same = true;
  parallel_for(10, 1, [&](std::size_t) { same = same && std::this_thread::get_id() == caller; });
  CHECK(same);
}

TEST_CASE("cancellation stops new work from starting") {
  std::atomic<bool> cancel{false};
  std::atomic<int> started{0};
  parallel_for(
      1000, 2,
      [&](std::size_t) {
        if (++started == 10)
          cancel = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      },
      &cancel);
  // Two workers: at most one more item may have begun while the tenth set the flag.
  CHECK(started.load() >= 10);
  CHECK(started.load() <= 11);

  std::atomic<bool> already{true};
  int ran = 0;
  parallel_for(
      10, 1, [&](std::size_t) { ++ran; }, &already);
  CHECK(ran == 0);
}

TEST_CASE("the first exception is rethrown after all workers stop") {
  std::atomic<int> running{0};
  std::atomic<int> finished{0};
  std::atomic<int> started{0};
  CHECK_THROWS_WITH_AS(parallel_for(100, 4,
                                    [&](std::size_t i) {
                                      ++started;
                                      ++running;
                                      std::this_thread::sleep_for(std::chrono::milliseconds(5));
                                      --running;
                                      if (i == 3)
                                        throw std::runtime_error("item 3 failed");
                                      ++finished;
                                    }),
                       "item 3 failed", std::runtime_error);
  CHECK(running.load() == 0);  // nobody still working when the exception arrives
  CHECK(started.load() < 100); // no new items after the failure
  CHECK(finished.load() == started.load() - 1);
}

TEST_CASE("an exception on the only thread propagates too") {
  CHECK_THROWS_AS(parallel_for(3, 1, [](std::size_t) { throw std::logic_error("x"); }),
                  std::logic_error);
}

} // namespace meshca
