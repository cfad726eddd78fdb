#include "meshca/commands/rollout/rollout_cli.h"

#include "meshca/cli/duration.h"
#include "meshca/cli/name_input.h"
#include "meshca/cli/traffic_gate_flags.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <charconv>

namespace meshca {
namespace po = boost::program_options;
namespace {

constexpr const char* kName = "rollout";
constexpr CommonFlagSet kFlagSet{false, true, "text, json"};

struct RawFlags {
  std::vector<std::string> namespaces;
  std::string kinds = "deployment,statefulset,daemonset";
  std::string timeout = "5m";
  bool no_wait = false;
  bool gateways = false;
  std::string dry_run = "none";
  std::size_t parallel = 4;
  bool restart_all = false;
  bool force = false;
  std::string meshca_bundle;
  TrafficGateFlags traffic;
};

po::options_description specific_flags(RawFlags& f) {
  po::options_description d;
  // clang-format off
  d.add_options()
    ("namespace,n", po::value(&f.namespaces)->composing()->value_name("NAME"),
     "A namespace to roll out (repeatable; the same as naming it)")
    ("kinds", po::value(&f.kinds)->value_name("KINDS"),
     "Which workloads to restart (default deployment,statefulset,daemonset)")
    ("timeout", po::value(&f.timeout)->value_name("DURATION"),
     "How long to wait for each workload's rollout (default 5m)")
    ("no-wait", po::bool_switch(&f.no_wait),
     "Restart and return: do not wait for the rollouts or check the pods")
    ("gateways", po::bool_switch(&f.gateways),
     "Also restart the gateway Deployments in istio-system of the namespaces' revisions")
    ("dry-run", po::value(&f.dry_run)->implicit_value("client")->value_name("MODE"),
     "none, client (print what would be restarted, send nothing) or server (send the restarts "
     "with dryRun); a bare --dry-run is client")
    ("parallel", po::value(&f.parallel)->value_name("N"),
     "How many workloads to restart and wait for at once (default 4)")
    ("restart-all", po::bool_switch(&f.restart_all),
     "Restart every selected workload, also those whose pods already run the revision (a "
     "deliberate re-injection, such as a proxy image change)")
    ("force", po::bool_switch(&f.force),
     "Restart although the trust gate refuses (each override is printed as a warning)")
    ("meshca-bundle", po::value(&f.meshca_bundle)->value_name("FILE|URL"),
     "Mesh CA roots for the trust gate (SPIFFE bundle JSON or PEM; default: Google's public "
     "bundle, cached)");
  // clang-format on
  add_traffic_gate_flags(d, f.traffic);
  return d;
}

std::string see_help() {
  return "\nSee 'kubectl meshca rollout --help' for usage.";
}

void add_name(std::vector<std::string>& names, std::string name) {
  if (std::find(names.begin(), names.end(), name) == names.end())
    names.push_back(std::move(name));
}

Status take_names(const std::vector<std::string>& given, RolloutCommand& command) {
  for (const std::string& name : given) {
    if (name == "-") {
      command.names_from_stdin = true;
      continue;
    }
    if (!is_dns1123_label(name))
      return bad_input("\"" + name + "\" is not a namespace name" + see_help());
    add_name(command.options.namespaces, name);
  }
  return done();
}

} // namespace

Result<std::chrono::seconds> parse_timeout(std::string_view text, std::string_view flag) {
  return parse_duration_flag(text, flag);
}

Result<RolloutCommand> parse_rollout(const std::vector<std::string>& args) {
  RawFlags f;
  const po::options_description specific = specific_flags(f);
  MESHCA_TRY_ASSIGN(auto parsed,
                    parse_command_line(kName, args, specific,
                                       {"NAMESPACE", 0, PositionalSpec::kUnlimited}, kFlagSet));
  RolloutCommand command;
  command.common = parsed.common;
  if (command.common.help || command.common.version)
    return command;
  MESHCA_TRY(take_names(parsed.positional, command));
  MESHCA_TRY(take_names(f.namespaces, command));
  RolloutOptions& o = command.options;
  auto kinds = parse_workload_kinds(f.kinds);
  if (!kinds)
    return kinds.error();
  o.kinds = *kinds;
  auto timeout = parse_timeout(f.timeout, "--timeout");
  if (!timeout)
    return timeout.error();
  o.timeout = *timeout;
  o.wait = !f.no_wait;
  o.gateways = f.gateways;
  auto dry_run = parse_dry_run(f.dry_run);
  if (!dry_run)
    return dry_run.error();
  o.dry_run = *dry_run;
  auto output =
      parse_output_format(command.common.output, {OutputFormat::text, OutputFormat::json});
  if (!output)
    return output.error();
  o.output = *output;
  if (f.parallel < 1 || f.parallel > 64)
    return bad_input("--parallel " + std::to_string(f.parallel) + ": expected 1 to 64");
  o.parallel = f.parallel;
  o.restart_all = f.restart_all;
  o.force = f.force ? Force::yes : Force::no;
  if (parsed.given("meshca-bundle")) {
    if (f.meshca_bundle.empty())
      return bad_input("--meshca-bundle needs a FILE or URL" + see_help());
    command.meshca_bundle = f.meshca_bundle;
  }
  if (o.namespaces.empty() && !command.names_from_stdin)
    return bad_input("name the namespaces to roll out (NAMESPACE... or - to read them from stdin)" +
                     see_help());
  MESHCA_TRY_ASSIGN(auto traffic, parse_traffic_gate_flags(f.traffic));
  if (traffic.enabled && !o.wait)
    return bad_input("--verify-traffic counts failures after the restarted pods are up, which "
                     "--no-wait does not wait for; drop one of them" +
                     see_help());
  if (traffic.enabled && o.dry_run != DryRun::none)
    return bad_input("--verify-traffic watches a real rollout; a --dry-run restarts nothing, so "
                     "drop one of them" +
                     see_help());
  command.traffic = traffic;
  return command;
}

Status expand_stdin_namespaces(RolloutCommand& command, std::istream& in) {
  if (!command.names_from_stdin)
    return done();
  auto names = read_namespace_names(in);
  if (!names)
    return names.error();
  for (std::string& name : *names)
    add_name(command.options.namespaces, std::move(name));
  if (command.options.namespaces.empty())
    return bad_input("no namespace names on stdin (expected namespace/NAME or NAME lines)");
  return done();
}

po::options_description rollout_flags() {
  static RawFlags sink; // never read
  return specific_flags(sink);
}

void print_rollout_help(std::ostream& out) {
  RawFlags f;
  const HelpText help{
      "kubectl meshca rollout [NAMESPACE... | -] [--kinds deployment,statefulset,daemonset] "
      "[--timeout DURATION] [--no-wait] [--gateways] [--restart-all] [--force] "
      "[--meshca-bundle FILE|URL] [--dry-run[=client|server]] [-o text|json]",
      "Restarts the Deployments, StatefulSets and DaemonSets of each namespace that have a\n"
      "running pod not yet on the namespace's revision (as kubectl rollout restart; a workload\n"
      "whose pods all run the revision is reported `already on REV`, one whose pods opt out of\n"
      "injection `no sidecar by choice`, and neither is touched unless --restart-all), waits for\n"
      "each rollout (as kubectl rollout status), then proves the namespace\n"
      "moved: every running sidecar pod must carry the revision the namespace is labelled with\n"
      "(istio.io/rev, or for istio-injection=enabled the revision of the default tag). What did\n"
      "not move is listed with its owner and the action that moves it: bare pods (recreate), Job\n"
      "pods (wait or skip), OnDelete StatefulSets and DaemonSets (delete the pods), paused\n"
      "Deployments (resume first; they are not restarted), rollouts that timed out, and pods\n"
      "without a sidecar in an injected namespace. `-` reads namespace/NAME lines from stdin.\n\n"
      "Trust gate: before any restart that moves pods to a revision, every running sidecar (the\n"
      "whole mesh, in every --context) must trust the CA that revision issues from, and the\n"
      "revision's sidecars must trust the issuer of every running sidecar's certificate; else\n"
      "nothing is restarted (exit 1) and the fix is named. --force overrides with warnings.\n\n"
      "Exit status: 0 everything moved, 1 something did not move or a namespace has no control\n"
      "plane or the trust gate refused (nothing restarted), 2 bad usage or unknown namespace, 3 "
      "the cluster could not be\n"
      "read or a restart failed.",
      "# Restart two namespaces and prove they moved\n"
      "kubectl meshca rollout bookinfo shop\n\n"
      "# Relabel and restart in one pipe\n"
      "kubectl meshca relabel ns bookinfo --revision asm-1-19-mcroot -o name | kubectl meshca "
      "rollout -\n\n"
      "# What would be restarted, and what would not move\n"
      "kubectl meshca rollout observability --dry-run\n\n"
      "# Include the namespace's ingress gateways, wait at most 10 minutes per workload\n"
      "kubectl meshca rollout bookinfo --gateways --timeout 10m"};
  print_command_help(out, help, specific_flags(f), kFlagSet);
}

} // namespace meshca
