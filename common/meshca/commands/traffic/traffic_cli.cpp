#include "meshca/commands/traffic/traffic_cli.h"

#include "meshca/cli/duration.h"
#include "meshca/cli/help_printer.h"
#include "meshca/cli/name_input.h"

#include <algorithm>
#include <boost/program_options.hpp>

namespace meshca {
namespace po = boost::program_options;
namespace {

constexpr const char* kName = "traffic";

struct RawFlags {
  std::string selector;
  std::string save;
  std::string since;
  std::string window;
  std::string meshca_bundle;
  std::size_t parallel = 32;
  std::string exec_timeout = "60s";
  std::string transport = "auto";
};

po::options_description specific_flags(RawFlags& f) {
  po::options_description d;
  d.add_options()("selector,l", po::value(&f.selector)->value_name("SELECTOR"),
                  "Only pods matching this label selector (as kubectl get -l)")(
      "save", po::value(&f.save)->value_name("FILE"),
      "Write every sidecar's counters to FILE (mode 0600, versioned JSON) for a later --since")(
      "since", po::value(&f.since)->value_name("FILE"),
      "Compare with a snapshot saved by --save: exit 1 if any pair's failures rose since")(
      "window", po::value(&f.window)->value_name("DURATION"),
      "Read twice, DURATION apart (e.g. 60s), and compare: exit 1 if any pair's failures rose")(
      "meshca-bundle", po::value(&f.meshca_bundle)->value_name("FILE|URL"),
      "Mesh CA SPIFFE trust bundle or PEM roots, for naming the roots in explanations "
      "(default: the public bundle, cached a day)")(
      "parallel", po::value(&f.parallel)->value_name("N"),
      "How many sidecars to read at once (default 32)")(
      "exec-timeout", po::value(&f.exec_timeout)->value_name("DURATION"),
      "How long to wait for one sidecar's stats (default 60s)")(
      "transport", po::value(&f.transport)->value_name("auto|proxy|exec"),
      "How sidecars are read: proxy = one kubectl proxy on a private Unix socket, HTTP and "
      "WebSocket in process; exec = one kubectl exec per pod; auto (default) = proxy, else exec");
  return d;
}

} // namespace

Result<TrafficCommand> parse_traffic(const std::vector<std::string>& args) {
  RawFlags f;
  const po::options_description specific = specific_flags(f);
  auto parsed =
      parse_command_line(kName, args, specific, {"NAMESPACE", 0, PositionalSpec::kUnlimited});
  if (!parsed)
    return parsed.error();
  TrafficCommand command;
  command.common = parsed->common;
  if (command.common.help || command.common.version)
    return command;
  TrafficOptions& o = command.options;
  MESHCA_TRY_ASSIGN(auto namespaces,
                    namespaces_to_read(parsed->positional, command.common.namespace_name,
                                       command.common.all_namespaces));
  o.namespaces = std::move(namespaces);
  MESHCA_TRY_ASSIGN(auto output, parse_output_format(command.common.output,
                                                     {OutputFormat::text, OutputFormat::wide,
                                                      OutputFormat::json, OutputFormat::yaml}));
  o.output = output;
  o.selector = f.selector;
  if (!f.since.empty() && !f.window.empty())
    return bad_input("--since and --window both name the start of the window; give one: "
                     "--since FILE (a snapshot saved before) or --window DURATION (two reads)");
  if (!f.save.empty() && !f.since.empty() && f.save == f.since)
    return bad_input("--save \"" + f.save +
                     "\" would overwrite the --since snapshot it is "
                     "compared with; save to another file");
  if (!f.save.empty())
    o.save = f.save;
  if (!f.since.empty())
    o.since = f.since;
  if (!f.window.empty()) {
    MESHCA_TRY_ASSIGN(auto window, parse_duration_flag(f.window, "--window"));
    if (window > std::chrono::hours(24))
      return bad_input("--window \"" + f.window +
                       "\": at most 24h; for longer, --save a snapshot and compare with --since");
    o.window = window;
  }
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

po::options_description traffic_flags() {
  static RawFlags sink; // never read
  return specific_flags(sink);
}

void print_traffic_help(std::ostream& out) {
  RawFlags f;
  const HelpText help{
      "kubectl meshca traffic [NAMESPACE...] [-A] [-l SELECTOR] [--save FILE] "
      "[--since FILE | --window DURATION] [-o text|wide|json|yaml]",
      "Reads every Running sidecar's own counters (one exec per pod: pilot-agent's metrics\n"
      "endpoint) and reports, per source workload and destination service, the requests and\n"
      "connections made and how many failed to connect (Istio's response flags UF/URX, and\n"
      "Envoy's TLS counters where the proxy emits them); each failing pair is explained from\n"
      "the certificates both sides hold. Proxies that cannot reach or verify istiod are listed.\n"
      "Counters are history since each proxy started: a plain read reports, it does not judge.\n"
      "With --since or --window only what happened in the window counts, per workload (pods\n"
      "that restarted or started in the window count from zero), and a rise fails.\n\n"
      "Exit status: 0 read (and, with --since/--window, no failure rose), 1 failures rose in\n"
      "the window, 2 bad usage, 3 a pod or the cluster could not be read.",
      "# Who failed to connect to whom, since each proxy started\n"
      "kubectl meshca traffic -A\n\n"
      "# Gate a step: snapshot, do the step, compare\n"
      "kubectl meshca traffic -A --save before.json\n"
      "kubectl meshca rollout bookinfo\n"
      "kubectl meshca traffic -A --since before.json\n\n"
      "# Is anything failing right now? (two reads a minute apart)\n"
      "kubectl meshca traffic -A --window 60s\n\n"
      "# Every count and the TLS counters, per pair\n"
      "kubectl meshca traffic bookinfo -o wide"};
  print_command_help(out, help, specific_flags(f));
}

} // namespace meshca
