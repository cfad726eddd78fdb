#include "meshca/commands/preflight/preflight_cli.h"

#include "meshca/cli/help_printer.h"

#include <boost/program_options.hpp>

namespace meshca {
namespace po = boost::program_options;
namespace {

constexpr const char* kName = "preflight";
constexpr CommonFlagSet kFlags{
    .namespaces = false, .output = true, .output_formats = "text, json, yaml"};

struct RawFlags {
  std::string step;
  std::string revision;
  std::string meshca_bundle;
};

po::options_description specific_flags(RawFlags& f) {
  po::options_description d;
  d.add_options()("for", po::value(&f.step)->value_name("STEP"),
                  "The step to check for: round1, round2, cleanup or prune (default: the next "
                  "step, as kubectl meshca status computes it)")(
      "revision", po::value(&f.revision)->value_name("REV"),
      "The revision the round moves to, or the one to prune (default: status's choice)")(
      "meshca-bundle", po::value(&f.meshca_bundle)->value_name("FILE|URL"),
      "Mesh CA SPIFFE trust bundle or PEM roots (default: the public bundle, cached a day)");
  return d;
}

std::string see_help() {
  return " (see kubectl meshca preflight --help)";
}

} // namespace

Result<PreflightCommand> parse_preflight(const std::vector<std::string>& args) {
  RawFlags f;
  const po::options_description specific = specific_flags(f);
  MESHCA_TRY_ASSIGN(auto parsed, parse_command_line(kName, args, specific, {"ARG", 0, 0}, kFlags));
  PreflightCommand command;
  command.common = parsed.common;
  if (command.common.help || command.common.version)
    return command;
  MESHCA_TRY_ASSIGN(command.output, parse_output_format(command.common.output,
                                                        {OutputFormat::text, OutputFormat::json,
                                                         OutputFormat::yaml}));
  if (parsed.given("for")) {
    command.step = parse_preflight_step(f.step);
    if (!command.step)
      return bad_input("--for \"" + f.step +
                       "\" is not a step: use round1, round2, cleanup or "
                       "prune" +
                       see_help());
  }
  if (parsed.given("revision")) {
    if (f.revision.empty())
      return bad_input("--revision needs a revision name such as asm-1-19" + see_help());
    command.revision = f.revision;
  }
  if (command.revision && command.step == PreflightStep::cleanup)
    return bad_input("--revision does not apply to --for cleanup (it checks the whole mesh)" +
                     see_help());
  if (parsed.given("meshca-bundle")) {
    if (f.meshca_bundle.empty())
      return bad_input("--meshca-bundle needs a FILE or URL" + see_help());
    command.meshca_bundle = f.meshca_bundle;
  }
  return command;
}

po::options_description preflight_flags() {
  RawFlags f;
  return specific_flags(f);
}

void print_preflight_help(std::ostream& out) {
  const HelpText help{
      "kubectl meshca preflight [--for round1|round2|cleanup|prune] [--revision REV]\n"
      "                         [--meshca-bundle FILE|URL] [-o text|json|yaml]",
      "Whether the control plane is configured to carry the next step of the migration, from\n"
      "objects only (a handful of list calls; no sidecar is read, nothing is changed): each\n"
      "revision's role and the settings asmcli's ca-migration-citadel / ca-migration-meshca\n"
      "options set (ISTIO_MULTIROOT_MESH, PROXY_CONFIG_XDS_AGENT, caCertificates holding the\n"
      "Mesh CA root, ENABLE_CA_SERVER=false, trustDomain and trustDomainAliases), each injected\n"
      "namespace's istio-ca-root-cert ConfigMap, the injector webhooks and revision tags (their\n"
      "istiod is there and Ready), the gateways and whether the step moves them, and the CA\n"
      "secrets (present while Citadel issues, holding the root the sidecars trust).\n\n"
      "--for picks which findings block: a setting missing on the revision a round moves to, a\n"
      "namespace without its ConfigMap, a webhook that fails pod creation, a gateway a prune\n"
      "would delete. Each failure is followed by its fix. See docs/preflight.md.\n\n"
      "Exit status: 0 nothing blocks the step, 1 a failure blocks it, 2 bad usage (or --revision\n"
      "names no installed revision), 3 the cluster could not be read.",
      "kubectl meshca preflight\n"
      "kubectl meshca preflight --for round1 --revision asm-1-19-mcroot\n"
      "kubectl meshca preflight --for prune --revision asm-1-18 -o json"};
  RawFlags f;
  print_command_help(out, help, specific_flags(f), kFlags);
}

} // namespace meshca
