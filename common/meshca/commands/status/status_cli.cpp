#include "meshca/commands/status/status_cli.h"

#include "meshca/cli/help_printer.h"

#include <boost/program_options.hpp>

namespace meshca {
namespace po = boost::program_options;
namespace {

constexpr const char* kName = "status";
constexpr CommonFlagSet kFlags{
    .namespaces = false, .output = true, .output_formats = "text, json, yaml"};

} // namespace

Result<StatusCommand> parse_status(const std::vector<std::string>& args) {
  const po::options_description specific;
  MESHCA_TRY_ASSIGN(auto parsed, parse_command_line(kName, args, specific, {"ARG", 0, 0}, kFlags));
  StatusCommand command;
  command.common = parsed.common;
  if (command.common.help || command.common.version)
    return command;
  auto output = parse_output_format(command.common.output,
                                    {OutputFormat::text, OutputFormat::json, OutputFormat::yaml});
  if (!output)
    return output.error();
  command.output = *output;
  return command;
}

po::options_description status_flags() {
  return {};
}

void print_status_help(std::ostream& out) {
  const HelpText help{
      "kubectl meshca status [-o text|json|yaml]",
      "Where the migration to Mesh CA stands, from objects only (no sidecar is read): the\n"
      "control-plane revisions with their istiod and gateway pods, the CA each issues when the\n"
      "install says so, revision tags, every namespace's injection labels and the revision they\n"
      "send new pods to (flagging both labels at once, and labels no control plane serves), the\n"
      "running sidecar pods per revision in each namespace, whether the Citadel CA secrets are\n"
      "still in istio-system, the migration phase this adds up to and the next command to run.\n\n"
      "Exit status: 0 read, 2 bad usage, a kubeconfig problem or a cluster without istio-system,\n"
      "3 the cluster could not be read.",
      "kubectl meshca status\n"
      "kubectl meshca status -o json"};
  print_command_help(out, help, po::options_description(), kFlags);
}

} // namespace meshca
