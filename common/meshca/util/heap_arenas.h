#pragma once
// glibc's malloc gives threads that allocate at the same time heaps of their own ("arenas"), up
// to 8 per core. A check's readers (--parallel, 32 by default) each parse a sidecar's answer of
// up to a megabyte at a time; on 2 cores they spread over 16 arenas, each keeping the freed space
// of its threads' last answers, and that space is most of a --trust-domain check's peak memory
// (docs/performance.md, "Memory"). One arena per core, at least two, holds it to what the cores
// can use at once, at no measured cost in time.

namespace meshca {

// Caps glibc's arenas at the number of cores (at least 2) for the rest of the process, unless
// MALLOC_ARENA_MAX is set (the user's choice stands). Call it before the threads start; arenas
// that exist already stay. Without glibc's malloc (a sanitizer's, another libc's) it does
// nothing. Returns the cap set, or 0 when none was.
int limit_heap_arenas();

} // namespace meshca
