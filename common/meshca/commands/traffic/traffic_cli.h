#pragma once
// traffic's command line: flags into TrafficCommand. Pure; tested as an argv table.

#include "meshca/cli/common_options.h"
#include "meshca/mesh/dump_fetcher.h"
#include "meshca/util/output_format.h"

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct TrafficOptions {
  std::vector<std::string> namespaces; // empty: every namespace but the system ones
  std::string selector;
  std::optional<std::string> save;  // --save FILE
  std::optional<std::string> since; // --since FILE
  std::optional<std::chrono::seconds> window;
  OutputFormat output = OutputFormat::text;
  std::optional<std::string> meshca_bundle;
  std::size_t parallel = 32;
  std::chrono::milliseconds exec_timeout{60000};
  Transport transport = Transport::automatic;
};

struct TrafficCommand {
  CommonOptions common;
  TrafficOptions options;
};

// Errors are bad_input naming the flag and the fix.
Result<TrafficCommand> parse_traffic(const std::vector<std::string>& args);

void print_traffic_help(std::ostream& out);

// traffic's own flags, for completion; bound to a private sink: never parse with it.
boost::program_options::options_description traffic_flags();

} // namespace meshca
