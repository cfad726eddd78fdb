#pragma once
// Bounded concurrency for independent work items (one kubectl call per pod, and so on).

#include <atomic>
#include <cstddef>
#include <functional>

namespace meshca {

// Calls work(i) once for every i in [0, count), on at most `parallelism` threads at a time
// (clamped to [1, count]); the calling thread is one of them. Returns when every started item
// has finished.
// - cancel: when it becomes true, no new item is started (items already running finish).
// - The first exception thrown by work stops new items from starting and is rethrown here after
//   all workers have stopped; later exceptions are dropped.
void parallel_for(std::size_t count, std::size_t parallelism,
                  const std::function<void(std::size_t index)>& work,
                  const std::atomic<bool>* cancel = nullptr);

} // namespace meshca
