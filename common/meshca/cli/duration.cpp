#include "meshca/cli/duration.h"

#include <charconv>
#include <string>

namespace meshca {

Result<std::chrono::seconds> parse_duration_flag(std::string_view text, std::string_view flag) {
  const std::string problem = std::string(flag) + " \"" + std::string(text) +
                              "\": expected a duration like 90s, 5m or 1h30m";
  long long total = 0;
  const char* at = text.data();
  const char* end = text.data() + text.size();
  if (at == end)
    return bad_input(problem);
  while (at != end) {
    long long value = 0;
    auto [next, ec] = std::from_chars(at, end, value);
    if (ec != std::errc() || value < 0)
      return bad_input(problem);
    at = next;
    long long unit = 1;
    if (at != end) {
      if (*at == 'h')
        unit = 3600;
      else if (*at == 'm')
        unit = 60;
      else if (*at != 's')
        return bad_input(problem);
      ++at;
    } else if (total != 0) {
      return bad_input(problem); // "1m30": a number without unit only stands alone
    }
    // Bounded so that neither the sum nor a later conversion to milliseconds overflows.
    constexpr long long kMaxSeconds = 100LL * 365 * 86400;
    if (value > (kMaxSeconds - total) / unit)
      return bad_input(std::string(flag) + " \"" + std::string(text) +
                       "\": too long; at most 876000h");
    total += value * unit;
  }
  if (total <= 0)
    return bad_input(std::string(flag) + " \"" + std::string(text) + "\": must be more than 0s");
  return std::chrono::seconds(total);
}

} // namespace meshca
