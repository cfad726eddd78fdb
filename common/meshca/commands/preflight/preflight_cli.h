#pragma once
// preflight's command line. Pure; tested as an argv table.

#include "meshca/checks/preflight_model.h"
#include "meshca/cli/common_options.h"
#include "meshca/util/output_format.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct PreflightCommand {
  CommonOptions common;
  OutputFormat output = OutputFormat::text; // text, json or yaml
  std::optional<PreflightStep> step;        // --for
  std::optional<std::string> revision;      // --revision
  std::optional<std::string> meshca_bundle; // --meshca-bundle
};

Result<PreflightCommand> parse_preflight(const std::vector<std::string>& args);

void print_preflight_help(std::ostream& out);

// preflight's own flags, for listing (shell completion).
boost::program_options::options_description preflight_flags();

} // namespace meshca
