#pragma once
// check-root's command line: flags into CheckRootOptions. Pure; tested as an argv table.

#include "meshca/checks/check_root.h"
#include "meshca/cli/common_options.h"

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

// check-root's own flags (not the common ones), for listing (shell completion); the values are
// bound to a private sink: never parse with it.
boost::program_options::options_description check_root_flags();

// Each --config-dump FILE (not `-`) must be a readable regular file of at most
// mesh::kMaxConfigDumpBytes; bad_input naming the file and the fix otherwise. Checked before any
// file is read, so a huge file is never loaded.
Status check_config_dump_files(const std::vector<std::string>& files);

// "60d", "36h", "90m" or a bare number of days.
Result<std::chrono::hours> parse_expiry_warn(const std::string& text);

} // namespace meshca
