// kubectl-meshca: the dispatcher. Prints help and version, and runs the command's executable
// from its own folder (krew links only this one binary) or, failing that, from PATH.

#include "meshca/cli/dispatch.h"
#include "meshca/cli/sibling.h"
#include "meshca/cli/version_line.h"

#include <iostream>

namespace {

constexpr const char* kPrefix = "kubectl meshca: error: ";

void print_help(std::ostream& out) {
  out << "Migrate an Istio / Cloud Service Mesh cluster from Istio CA (Citadel) to Mesh CA\n"
         "without downtime, and prove every step.\n\n"
         "Commands:\n";
  for (const meshca::CommandInfo& command : meshca::all_commands()) {
    std::string name(command.name);
    name.resize(18, ' ');
    out << "  " << name << command.summary;
    if (!meshca::locate_sibling(command))
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

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const meshca::DispatchPlan plan = meshca::plan_dispatch(args);

  if (std::holds_alternative<meshca::ShowHelp>(plan)) {
    print_help(std::cout);
    return 0;
  }
  if (std::holds_alternative<meshca::ShowVersion>(plan)) {
    meshca::print_version(std::cout);
    return 0;
  }
  if (const auto* error = std::get_if<meshca::DispatchError>(&plan)) {
    std::cerr << kPrefix << error->message << "\n";
    return meshca::to_int(meshca::ExitStatus::bad_input);
  }
  const auto& run = std::get<meshca::RunCommand>(plan);
  auto program = meshca::locate_sibling(run.command);
  if (!program) {
    std::cerr << kPrefix << program.error().message << "\n";
    return meshca::to_int(program.error().status);
  }
  const meshca::Error failure = meshca::replace_process(*program, run.args);
  std::cerr << kPrefix << failure.message << "\n";
  return meshca::to_int(failure.status);
}
