#pragma once
// What every fuzz entry function returns, and the invariant check they share. An entry function
// feeds one input to a reader; the reader must answer with a value or an error (a Result), never
// crash, hang or break an invariant of its own output. The same functions run under libFuzzer
// (fuzz/*_fuzz.cpp) and, for the saved inputs of tests/testdata/fuzz-regressions, under the
// ordinary unit test build (tests/unit/fuzz_regressions_test.cpp).

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace meshca::fuzz {

enum class Outcome { value, error };

template <class R>
Outcome outcome_of(const R& result) {
  return result.ok() ? Outcome::value : Outcome::error;
}

// A broken invariant is a bug as real as a crash: abort so that libFuzzer saves the input (and
// the regression test fails loudly).
inline void require(bool condition, std::string_view invariant) {
  if (condition)
    return;
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(invariant.size()),
               invariant.data());
  std::abort();
}

} // namespace meshca::fuzz
