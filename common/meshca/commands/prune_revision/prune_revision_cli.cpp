#include "meshca/commands/prune_revision/prune_revision_cli.h"

#include "meshca/cli/help_printer.h"

#include <boost/program_options.hpp>

namespace meshca {
namespace po = boost::program_options;
namespace {

constexpr const char* kName = "prune-revision";

struct RawFlags {
  bool yes = false;
  bool force = false;
  std::string dry_run = "none";
  TrafficGateFlags traffic;
};

po::options_description specific_flags(RawFlags& f) {
  po::options_description d;
  d.add_options()("yes,y", po::bool_switch(&f.yes),
                  "Do not ask for confirmation (required without a terminal)")(
      "force", po::bool_switch(&f.force),
      "Delete the gateways although a Service would be left without endpoints (printed as "
      "warnings; the other refusals cannot be forced)")(
      "dry-run", po::value(&f.dry_run)->implicit_value("client")->value_name("MODE"),
      "Only list the objects that would be deleted: client (the default), server (the API server "
      "validates each delete), none");
  add_traffic_gate_flags(d, f.traffic);
  return d;
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

} // namespace

bool is_revision_name(const std::string& name) {
  if (name.empty() || name.size() > 63 || !is_alnum(name.front()) || !is_alnum(name.back()))
    return false;
  for (const char c : name)
    if (!is_alnum(c) && c != '-')
      return false;
  return true;
}

Result<PruneRevisionCommand> parse_prune_revision(const std::vector<std::string>& args) {
  RawFlags f;
  const po::options_description specific = specific_flags(f);
  MESHCA_TRY_ASSIGN(auto parsed, parse_command_line(kName, args, specific, {"OLD", 1, 1},
                                                    {.namespaces = false, .output = false}));
  PruneRevisionCommand command;
  command.common = parsed.common;
  if (command.common.help || command.common.version)
    return command;
  PruneRevisionOptions& o = command.options;
  o.revision = parsed.positional.front();
  if (!is_revision_name(o.revision))
    return bad_input("revision \"" + o.revision +
                     "\": not a valid revision name (lower-case "
                     "letters, digits and '-', at most 63); see kubectl meshca status");
  auto dry_run = parse_dry_run(f.dry_run);
  if (!dry_run)
    return dry_run.error();
  o.dry_run = *dry_run;
  o.assume_yes = f.yes;
  o.force = f.force;
  MESHCA_TRY_ASSIGN(auto traffic, parse_traffic_gate_flags(f.traffic));
  if (traffic.enabled && o.dry_run != DryRun::none)
    return bad_input("--verify-traffic watches a real change; a --dry-run changes nothing, so "
                     "drop one of them");
  command.traffic = traffic;
  return command;
}

po::options_description prune_revision_flags() {
  static RawFlags sink; // never read
  return specific_flags(sink);
}

void print_prune_revision_help(std::ostream& out) {
  RawFlags f;
  const HelpText help{
      "kubectl meshca prune-revision OLD [--yes] [--dry-run] [--force]",
      "Removes an old control-plane revision once nothing uses it: its gateway Deployments, its\n"
      "injector webhook (istio-sidecar-injector-OLD), Service, Deployment, "
      "HorizontalPodAutoscaler\n"
      "and PodDisruptionBudget istiod-OLD (istiod for an unrevisioned install), and IstioOperator\n"
      "installed-state-OLD (absent since Istio 1.21). Refuses, deleting nothing, while a "
      "namespace\n"
      "label, a revision tag or another webhook still points at OLD, or a running pod (other than\n"
      "OLD's own gateways) was injected by it, and names the command that clears each. Also\n"
      "refuses while a Service (any namespace, any type) would be left without endpoints because\n"
      "its only ready endpoints are OLD's gateway pods (--force deletes anyway, with a warning).\n"
      "A dry run shows the same refusals.\n\n"
      "Exit status: 0 removed (or nothing left to remove), 1 refused, 2 bad usage, 3 the cluster\n"
      "could not be read or written.",
      "# What would be deleted\n"
      "kubectl meshca prune-revision asm-1-19 --dry-run\n\n"
      "# Remove it without a prompt\n"
      "kubectl meshca prune-revision asm-1-19 --yes"};
  print_command_help(out, help, specific_flags(f), {.namespaces = false, .output = false});
}

} // namespace meshca
