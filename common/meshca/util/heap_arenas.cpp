#include "meshca/util/heap_arenas.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace meshca {

int limit_heap_arenas() {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr)
    return 0;
  const int arenas = static_cast<int>(std::max(2U, std::thread::hardware_concurrency()));
  return mallopt(M_ARENA_MAX, arenas) == 1 ? arenas : 0;
#else
  return 0;
#endif
}

} // namespace meshca
