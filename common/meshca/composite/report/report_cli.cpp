#include "meshca/composite/report/report_cli.h"

#include "meshca/cli/duration.h"
#include "meshca/cli/help_printer.h"
#include "meshca/cli/name_input.h"
#include "meshca/commands/check_root/check_root_cli.h"

#include <boost/program_options.hpp>

namespace meshca {
namespace po = boost::program_options;
namespace {

constexpr const char* kName = "report";
constexpr CommonFlagSet kFlags{.namespaces = true, .output = true, .output_formats = "html, json"};

struct RawFlags {
  std::string out;
  std::string since;
  std::string window;
  std::string meshca_bundle;
  std::string expiry_warn = "60d";
  std::size_t parallel = 32;
  std::string exec_timeout = "60s";
  std::string transport = "auto";
};

po::options_description specific_flags(RawFlags& f) {
  po::options_description d;
  d.add_options()("out", po::value(&f.out)->value_name("FILE"),
                  "Write the report to FILE (mode 0644, replaced whole); default: stdout")(
      "since", po::value(&f.since)->value_name("FILE"),
      "Traffic: show the failures since a snapshot saved by kubectl meshca traffic --save")(
      "window", po::value(&f.window)->value_name("DURATION"),
      "Traffic: read every sidecar's counters twice, DURATION apart (e.g. 60s), and show the "
      "failures in between")("expiry-warn", po::value(&f.expiry_warn)->value_name("DURATION"),
                             "Mark certificates that expire within DURATION (default 60d)")(
      "meshca-bundle", po::value(&f.meshca_bundle)->value_name("FILE|URL"),
      "Mesh CA SPIFFE trust bundle or PEM roots (default: the public bundle, cached a day)")(
      "parallel", po::value(&f.parallel)->value_name("N"),
      "How many sidecars to read at once (default 32)")(
      "exec-timeout", po::value(&f.exec_timeout)->value_name("DURATION"),
      "How long to wait for one sidecar (default 60s)")(
      "transport", po::value(&f.transport)->value_name("auto|proxy|exec"),
      "How sidecars are read: proxy, exec, or auto (default: proxy, else exec)");
  return d;
}

} // namespace

Result<ReportCommandLine> parse_report(const std::vector<std::string>& args) {
  RawFlags f;
  const po::options_description specific = specific_flags(f);
  MESHCA_TRY_ASSIGN(auto parsed,
                    parse_command_line(kName, args, specific,
                                       {"NAMESPACE", 0, PositionalSpec::kUnlimited}, kFlags));
  ReportCommandLine command;
  command.common = parsed.common;
  if (command.common.help || command.common.version)
    return command;
  ReportOptions& o = command.options;
  MESHCA_TRY_ASSIGN(auto namespaces,
                    namespaces_to_read(parsed.positional, command.common.namespace_name,
                                       command.common.all_namespaces));
  o.namespaces = std::move(namespaces);
  const std::string output = command.common.output.empty() ? "html" : command.common.output;
  MESHCA_TRY_ASSIGN(auto format,
                    parse_output_format(output, {OutputFormat::html, OutputFormat::json}));
  o.output = format;
  if (parsed.given("out")) {
    if (f.out.empty())
      return bad_input("--out \"\": name the file to write (or leave --out out for stdout)");
    if (f.out != "-")
      o.out = f.out;
  }
  if (!f.since.empty() && !f.window.empty())
    return bad_input("--since and --window both name the start of the traffic window; give one: "
                     "--since FILE (a snapshot saved by kubectl meshca traffic --save) or "
                     "--window DURATION (two reads)");
  if (parsed.given("since") && f.since.empty())
    return bad_input("--since \"\": name the snapshot file saved by kubectl meshca traffic --save");
  if (!f.since.empty())
    o.since = f.since;
  if (!f.window.empty()) {
    MESHCA_TRY_ASSIGN(auto window, parse_duration_flag(f.window, "--window"));
    if (window > std::chrono::hours(24))
      return bad_input("--window \"" + f.window +
                       "\": at most 24h; for longer, save a snapshot with kubectl meshca traffic "
                       "--save and give it as --since");
    o.window = std::chrono::duration_cast<std::chrono::seconds>(window);
  }
  if (o.out && o.since && *o.out == *o.since)
    return bad_input("--out \"" + *o.out +
                     "\" would overwrite the --since snapshot; write the report elsewhere");
  MESHCA_TRY_ASSIGN(auto warn, parse_expiry_warn(f.expiry_warn));
  o.expiry_warn = warn;
  if (!f.meshca_bundle.empty())
    o.meshca_bundle = f.meshca_bundle;
  if (f.parallel < 1 || f.parallel > 1000)
    return bad_input("--parallel " + std::to_string(f.parallel) + ": expected 1 to 1000");
  o.parallel = f.parallel;
  MESHCA_TRY_ASSIGN(auto timeout, parse_duration_flag(f.exec_timeout, "--exec-timeout"));
  o.exec_timeout = timeout;
  MESHCA_TRY_ASSIGN(auto transport, parse_transport(f.transport));
  o.transport = transport;
  return command;
}

po::options_description report_flags() {
  static RawFlags sink; // never read
  return specific_flags(sink);
}

void print_report_help(std::ostream& out) {
  RawFlags f;
  const HelpText help{
      "kubectl meshca report [NAMESPACE...] [-A] [--context A --context B ...] [-o html|json] "
      "[--out FILE] [--since FILE | --window DURATION]",
      "The evidence of the migration for the change ticket, in one file: reads every cluster\n"
      "once (status, preflight, the migration plan and its ledger, every sidecar as\n"
      "check-root --workload-cert --trust-domain --mtls, and traffic with --since or\n"
      "--window) and writes one self-contained HTML page (inline CSS and SVG: nothing is\n"
      "loaded from the network; printable on A4; light and dark) or its JSON twin\n"
      "(kind MigrationReport, with every pod).\n\n"
      "Sections: 1. the summary per cluster (phase, next step, ready or blocked and why),\n"
      "2. progress per namespace (trust sets and issuers), 3. the mTLS can-talk matrix,\n"
      "4. certificate expiry, 5. traffic, 6. preflight and the ledger, 7. the commands that\n"
      "reproduce every figure. NAMESPACE... narrows sections 2 to 5; the verdicts always\n"
      "count every sidecar.\n\n"
      "Exit status: 0 written, 2 bad usage (nothing read or written), 3 some sidecars or a\n"
      "cluster's pods could not be read (the report is still written and says what is missing),\n"
      "or a control plane could not be read (nothing is written: its verdict would be a guess).",
      "# Before the change: every cluster of the mesh\n"
      "kubectl meshca report --context east --context west --out before.html\n\n"
      "# After it, with a minute of live traffic\n"
      "kubectl meshca report --context east --context west --window 60s --out after.html\n\n"
      "# The same data for tooling\n"
      "kubectl meshca report -A -o json --out report.json"};
  print_command_help(out, help, specific_flags(f), kFlags);
}

} // namespace meshca
