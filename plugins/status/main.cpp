// kubectl meshca status: where the migration stands and what to run next.

#include "meshca/cli/cluster_check.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/ops/status_cli.h"
#include "meshca/ops/status_output.h"
#include "meshca/ops/status_phase.h"
#include "meshca/ops/status_snapshot.h"
#include "meshca/cli/version_line.h"

#include <iostream>

namespace {

constexpr const char* kName = "status";

meshca::Result<std::string> run(const meshca::StatusCommand& command) {
  auto kubectl_path = meshca::prepare_kubectl(command.common);
  if (!kubectl_path)
    return kubectl_path.error();
  meshca::Kubectl kubectl(*kubectl_path, command.common.connection(),
                          command.common.verbose ? meshca::Verbose::yes : meshca::Verbose::no);
  if (auto present = meshca::require_istio_namespace(kubectl, command.common.connection().context); !present)
    return present.error();
  auto snapshot = meshca::read_status_snapshot(kubectl);
  if (!snapshot)
    return snapshot.error();
  meshca::MeshStatus status = meshca::build_status(snapshot->inputs());
  meshca::decide_phase(status);
  switch (command.output) {
  case meshca::OutputFormat::json:
    return meshca::render_status_json(status);
  case meshca::OutputFormat::yaml:
    return meshca::render_status_yaml(status);
  default:
    return meshca::render_status_text(status);
  }
}

} // namespace

int main(int argc, char** argv) {
  auto command = meshca::parse_status(std::vector<std::string>(argv + 1, argv + argc));
  if (!command)
    return meshca::report_error(kName, command.error());
  if (command->common.help) {
    meshca::print_status_help(std::cout);
    return 0;
  }
  if (command->common.version) {
    meshca::print_version(std::cout);
    return 0;
  }
  auto text = run(*command);
  if (!text)
    return meshca::report_error(kName, meshca::classify_kubeconfig_error(text.error()));
  std::cout << *text << std::flush;
  return 0;
}
