#pragma once
// The two scans that take most of a JSON parse of an indented dump: past the indentation, and
// along a string to its end. Sixteen bytes at a time where the CPU has SSE2 (every x86-64), a byte
// at a time elsewhere; both give the same answer (json_scan_test).
//
// Each scan stops at the first byte it does not skip, so the text must hold one (a NUL after the
// text does), and the 15 bytes after any byte it reads must be readable (padding).

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace meshca::json_scan {

constexpr std::size_t kPadding = 16;

inline bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// Where a string's plain run ends: a quote, a backslash or a control byte (a NUL included).
inline bool ends_plain_run(char c) {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}

inline const char* skip_space_bytewise(const char* p) {
  while (is_space(*p))
    ++p;
  return p;
}

inline const char* plain_run_end_bytewise(const char* p) {
  while (!ends_plain_run(*p))
    ++p;
  return p;
}

#if defined(__SSE2__)
// The first byte of a 16-byte block whose bit is clear in `kept` (a movemask of the bytes kept).
inline const char* first_clear(const char* block, unsigned kept) {
  return block + __builtin_ctz(~kept & 0xFFFFu);
}

inline const char* skip_space_sse2(const char* p) {
  const __m128i space = _mm_set1_epi8(' '), line_feed = _mm_set1_epi8('\n'),
                carriage_return = _mm_set1_epi8('\r'), tab = _mm_set1_epi8('\t');
  while (true) {
    const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i spaces =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(s, space), _mm_cmpeq_epi8(s, line_feed)),
                     _mm_or_si128(_mm_cmpeq_epi8(s, carriage_return), _mm_cmpeq_epi8(s, tab)));
    const auto kept = static_cast<unsigned>(_mm_movemask_epi8(spaces));
    if (kept != 0xFFFFu)
      return first_clear(p, kept);
    p += 16;
  }
}

inline const char* plain_run_end_sse2(const char* p) {
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                highest_control = _mm_set1_epi8(0x1F);
  while (true) {
    const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // s <= 0x1F (unsigned) exactly when max(s, 0x1F) == 0x1F.
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(s, highest_control), highest_control);
    const __m128i stop =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(s, quote), _mm_cmpeq_epi8(s, backslash)), control);
    const auto stops = static_cast<unsigned>(_mm_movemask_epi8(stop));
    if (stops != 0)
      return p + __builtin_ctz(stops);
    p += 16;
  }
}
#endif

// The first byte at or after p that is not a space, tab or line end.
inline const char* skip_space(const char* p) {
  if (!is_space(*p)) // a token often follows at once (a colon after a key)
    return p;
#if defined(__SSE2__)
  return skip_space_sse2(p);
#else
  return skip_space_bytewise(p);
#endif
}

// The first byte at or after p that ends a string's plain run (see ends_plain_run).
inline const char* plain_run_end(const char* p) {
#if defined(__SSE2__)
  return plain_run_end_sse2(p);
#else
  return plain_run_end_bytewise(p);
#endif
}

} // namespace meshca::json_scan
