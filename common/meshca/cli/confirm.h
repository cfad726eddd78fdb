#pragma once
// Asking before a change that cannot be undone by re-running: on a terminal the user answers; in
// a script the caller must say --yes. Never guesses.

#include "meshca/util/result.h"

#include <iosfwd>
#include <string_view>

namespace meshca {

enum class Confirmed { yes, no };

// With `assume_yes` (--yes): yes, without asking. On a terminal (stdin and stderr are TTYs): asks
// "question [y/N] " on stderr and reads one line from stdin; "y" or "yes" (any case) is yes,
// anything else (EOF included) is no. Without a terminal and without --yes: bad_input
// "<question without '?'> needs --yes when not run from a terminal".
Result<Confirmed> confirm(std::string_view question, bool assume_yes);

// The same with the terminal test and the streams given (for tests).
Result<Confirmed> confirm_with(std::string_view question, bool assume_yes, bool interactive,
                               std::istream& in, std::ostream& prompt);

} // namespace meshca
