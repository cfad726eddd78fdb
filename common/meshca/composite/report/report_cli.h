#pragma once
// report's command line: `kubectl meshca report [-A | NAMESPACE...] [--context ...] [-o html|json]
// [--out FILE] [--since FILE | --window D]`. Pure; tested as an argv table.

#include "meshca/cli/common_options.h"
#include "meshca/mesh/dump_fetcher.h"
#include "meshca/util/output_format.h"

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct ReportOptions {
  std::vector<std::string> namespaces; // the namespaces shown; empty: every one
  OutputFormat output = OutputFormat::html;
  std::optional<std::string> out;             // --out FILE; absent: stdout
  std::optional<std::string> since;           // traffic: compare with this snapshot
  std::optional<std::chrono::seconds> window; // traffic: two reads this far apart
  std::optional<std::string> meshca_bundle;
  std::chrono::hours expiry_warn{60 * 24};
  std::size_t parallel = 32;
  std::chrono::milliseconds exec_timeout{60000};
  Transport transport = Transport::automatic;
};

struct ReportCommandLine {
  CommonOptions common;
  ReportOptions options;
};

// Errors are bad_input naming the flag and the fix.
Result<ReportCommandLine> parse_report(const std::vector<std::string>& args);

void print_report_help(std::ostream& out);

boost::program_options::options_description report_flags();

} // namespace meshca
