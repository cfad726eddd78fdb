#pragma once
// check-root's command line: flags into CheckRootOptions. Pure; tested as an argv table.

#include "meshca/cli/common_options.h"
#include "meshca/ops/check_root.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace meshca {

struct CheckRootCommand {
  CommonOptions common;
  CheckRootOptions options;
};

// Errors are bad_input naming the flag and the fix.
Result<CheckRootCommand> parse_check_root(const std::vector<std::string>& args);

void print_check_root_help(std::ostream& out);

// "60d", "36h", "90m" or a bare number of days.
Result<std::chrono::hours> parse_expiry_warn(const std::string& text);

} // namespace meshca
