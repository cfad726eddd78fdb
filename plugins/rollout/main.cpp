// kubectl meshca rollout: restart namespaces' workloads and prove every sidecar moved to the
// namespace's revision.

#include "meshca/cli/interrupt.h"
#include "meshca/ops/rollout_cli.h"
#include "meshca/ops/rollout_output.h"
#include "meshca/ops/trust_gate_setup.h"
#include "meshca/cli/cluster_check.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/cli/version_line.h"

#include <iostream>

namespace {

constexpr const char* kName = "rollout";

int run(const meshca::RolloutCommand& command) {
  auto kubectl_path = meshca::prepare_kubectl(command.common);
  if (!kubectl_path)
    return meshca::report_error(kName, kubectl_path.error());
  meshca::Kubectl kubectl(*kubectl_path, command.common.connection(),
                          command.common.verbose ? meshca::Verbose::yes : meshca::Verbose::no);
  if (auto present = meshca::require_istio_namespace(kubectl, command.common.connection().context); !present)
    return meshca::report_error(kName, present.error());
  meshca::TrustGateSession gate(*kubectl_path, command.common, command.meshca_bundle, std::cerr);
  meshca::RolloutOptions options = command.options;
  options.trust_gate = gate.check();
  const meshca::RolloutReport report =
      meshca::run_rollout(kubectl, options, &meshca::install_interrupt_flag());
  for (const std::string& warning : report.warnings)
    std::cerr << "kubectl meshca rollout: warning: " << warning << '\n';
  if (!report.scopes.empty())
    std::cout << meshca::render_rollout(report, command.options.output) << std::flush;
  for (const std::string& note : report.notes)
    std::cerr << "kubectl meshca rollout: note: " << note << '\n';
  meshca::ExitStatus status = report.status;
  for (const meshca::Error& reported : report.errors) {
    const meshca::Error error = meshca::classify_kubeconfig_error(reported);
    if (error.status == meshca::ExitStatus::bad_input && status == meshca::ExitStatus::cluster_error)
      status = meshca::ExitStatus::bad_input; // the kubeconfig failed the first call: nothing ran
    meshca::report_error(kName, error);
  }
  return meshca::to_int(status);
}

} // namespace

int main(int argc, char** argv) {
  auto command = meshca::parse_rollout(std::vector<std::string>(argv + 1, argv + argc));
  if (!command)
    return meshca::report_error(kName, command.error());
  if (command->common.help) {
    meshca::print_rollout_help(std::cout);
    return 0;
  }
  if (command->common.version) {
    meshca::print_version(std::cout);
    return 0;
  }
  if (auto status = meshca::expand_stdin_namespaces(*command, std::cin); !status)
    return meshca::report_error(kName, status.error());
  return run(*command);
}
