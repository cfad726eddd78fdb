// limit_heap_arenas: glibc's malloc then keeps at most one heap per core (at least two) however
// many threads allocate at once, and a MALLOC_ARENA_MAX the user set stands.

#include "meshca/util/heap_arenas.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <doctest/doctest.h>
#include <memory>
#include <string>
#include <thread>
#include <vector>

// glibc's own malloc, which the cap is for (a sanitizer brings its own).
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#define MESHCA_GLIBC_MALLOC 1
#include <malloc.h>
#endif

namespace {

#if defined(MESHCA_GLIBC_MALLOC)
// The heaps glibc's malloc holds, as malloc_info lists them (<heap nr="...">).
std::size_t glibc_heaps() {
  char* text = nullptr;
  std::size_t size = 0;
  FILE* out = open_memstream(&text, &size);
  REQUIRE(out != nullptr);
  REQUIRE(malloc_info(0, out) == 0);
  std::fclose(out);
  const std::string info(text, size);
  std::free(text);
  std::size_t heaps = 0;
  for (std::size_t at = info.find("<heap nr="); at != std::string::npos;
       at = info.find("<heap nr=", at + 1))
    ++heaps;
  return heaps;
}
#endif

// 32 threads, each holding a few hundred kilobytes at the same moment, as a check's readers do.
void allocate_side_by_side() {
  constexpr int kThreads = 32;
  std::atomic<int> holding{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&holding] {
      std::vector<std::unique_ptr<char[]>> blocks;
      for (int i = 0; i < 16; ++i)
        blocks.push_back(std::make_unique<char[]>(16 * 1024));
      ++holding;
      while (holding.load() < kThreads)
        std::this_thread::yield();
    });
  for (std::thread& thread : threads)
    thread.join();
}

} // namespace

TEST_CASE("the heaps are capped at one per core, at least two") {
  const char* user_choice = std::getenv("MALLOC_ARENA_MAX");
  if (user_choice != nullptr) {
    CHECK(meshca::limit_heap_arenas() == 0); // the user's value stands
    return;
  }
  const int cap = meshca::limit_heap_arenas();
#if defined(MESHCA_GLIBC_MALLOC)
  const int cores = static_cast<int>(std::max(2U, std::thread::hardware_concurrency()));
  REQUIRE(cap == cores);
  const std::size_t before = glibc_heaps();
  allocate_side_by_side();
  // Heaps made before the cap stay; after it, at most `cap` in all.
  CHECK(glibc_heaps() <= std::max<std::size_t>(before, static_cast<std::size_t>(cap)));
#else
  (void)cap; // another malloc (a sanitizer's): nothing to cap, nothing to check
  allocate_side_by_side();
#endif
}

TEST_CASE("MALLOC_ARENA_MAX in the environment is left to glibc") {
  const char* saved = std::getenv("MALLOC_ARENA_MAX");
  const std::string kept = saved != nullptr ? saved : "";
  REQUIRE(setenv("MALLOC_ARENA_MAX", "1", 1) == 0);
  CHECK(meshca::limit_heap_arenas() == 0);
  if (saved != nullptr)
    setenv("MALLOC_ARENA_MAX", kept.c_str(), 1);
  else
    unsetenv("MALLOC_ARENA_MAX");
}
