#pragma once
// status' command line. Pure; tested as an argv table.

#include "meshca/cli/common_options.h"
#include "meshca/util/output_format.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace meshca {

struct StatusCommand {
  CommonOptions common;
  OutputFormat output = OutputFormat::text; // text, json or yaml
};

Result<StatusCommand> parse_status(const std::vector<std::string>& args);

void print_status_help(std::ostream& out);

// status' own flags (none: it takes only the common ones), for listing (shell completion).
boost::program_options::options_description status_flags();

} // namespace meshca
