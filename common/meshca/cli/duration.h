#pragma once
// Durations on the command line, as kubectl writes them: "90s", "5m", "1h30m" (a bare number is
// seconds).

#include "meshca/util/result.h"

#include <chrono>
#include <string_view>

namespace meshca {

// bad_input naming `flag` and the expected form; at most 100 years.
Result<std::chrono::seconds> parse_duration_flag(std::string_view text, std::string_view flag);

} // namespace meshca
