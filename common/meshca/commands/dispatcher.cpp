#include "meshca/commands/dispatcher.h"

#include "meshca/cli/dispatch.h"
#include "meshca/cli/sibling.h"
#include "meshca/cli/version_line.h"
#include "meshca/commands/registry.h"
#include "meshca/util/exec_replace.h"

#include <iostream>

namespace meshca {
namespace {

constexpr const char* kPrefix = "kubectl meshca: error: ";

void print_help(std::ostream& out) {
  out << "Migrate an Istio / Cloud Service Mesh cluster from Istio CA (Citadel) to Mesh CA\n"
         "without downtime, and prove every step.\n\n"
         "Commands:\n";
  for (const CommandInfo& command : command_registry()) {
    std::string name(command.name);
    name.resize(18, ' ');
    out << "  " << name << command.summary;
    if (!locate_sibling(command))
      out << " (not installed)";
    out << "\n";
  }
  out << "\nFlags every command takes (they may also come before the command name):\n"
         "  --kubeconfig, --context, --cluster, --user, --request-timeout, -v/--verbose,\n"
         "  --kubectl PATH (or $KUBECTL), -h/--help, --version\n\n"
         "Usage:\n"
         "  kubectl meshca [flags] COMMAND [args]\n\n"
         "Use \"kubectl meshca COMMAND --help\" for more about a command.\n";
}

} // namespace

int run_dispatcher(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const DispatchPlan plan = plan_dispatch(args, command_registry());

  if (std::holds_alternative<ShowHelp>(plan)) {
    print_help(std::cout);
    return 0;
  }
  if (std::holds_alternative<ShowVersion>(plan)) {
    print_version(std::cout);
    return 0;
  }
  if (const auto* error = std::get_if<DispatchError>(&plan)) {
    std::cerr << kPrefix << error->message << "\n";
    return to_int(ExitStatus::bad_input);
  }
  const auto& run = std::get<RunCommand>(plan);
  auto program = locate_sibling(run.command);
  if (!program) {
    std::cerr << kPrefix << program.error().message << "\n";
    return to_int(program.error().status);
  }
  const Error failure = replace_process(*program, run.args);
  std::cerr << kPrefix << failure.message << "\n";
  return to_int(failure.status);
}

} // namespace meshca
