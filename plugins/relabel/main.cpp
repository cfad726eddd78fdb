// kubectl meshca relabel: move namespaces to a control-plane revision (or back), one patch each.

#include "meshca/ops/relabel_cli.h"
#include "meshca/ops/relabel_output.h"
#include "meshca/ops/trust_gate_setup.h"
#include "meshca/cli/cluster_check.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/cli/selector_error.h"
#include "meshca/cli/version_line.h"

#include <iostream>

namespace {

constexpr const char* kName = "relabel";

int run(const meshca::RelabelCommand& command) {
  auto kubectl_path = meshca::prepare_kubectl(command.common);
  if (!kubectl_path)
    return meshca::report_error(kName, kubectl_path.error());
  meshca::Kubectl kubectl(*kubectl_path, command.common.connection(),
                          command.common.verbose ? meshca::Verbose::yes : meshca::Verbose::no);
  if (auto present = meshca::require_istio_namespace(kubectl, command.common.connection().context); !present)
    return meshca::report_error(kName, present.error());
  meshca::TrustGateSession gate(*kubectl_path, command.common, command.meshca_bundle, std::cerr);
  meshca::RelabelOptions options = command.options;
  options.trust_gate = gate.check();
  const meshca::RelabelReport report = meshca::run_relabel(kubectl, options, std::cerr);
  if (!report.namespaces.empty())
    std::cout << meshca::render_relabel(report, command.options.output) << std::flush;
  meshca::ExitStatus status = report.status;
  for (const meshca::Error& reported : report.errors) {
    const meshca::Error error = meshca::classify_selector_error(
        meshca::classify_kubeconfig_error(reported), command.options.selector.value_or(""));
    if (error.status == meshca::ExitStatus::bad_input && status == meshca::ExitStatus::cluster_error)
      status = meshca::ExitStatus::bad_input; // the first read failed on the input: nothing ran
    meshca::report_error(kName, error);
  }
  if (command.options.output == meshca::OutputFormat::text)
    std::cerr << meshca::render_relabel_next_step(report);
  return meshca::to_int(status);
}

} // namespace

int main(int argc, char** argv) {
  auto command = meshca::parse_relabel(std::vector<std::string>(argv + 1, argv + argc));
  if (!command)
    return meshca::report_error(kName, command.error());
  if (command->common.help) {
    meshca::print_relabel_help(std::cout);
    return 0;
  }
  if (command->common.version) {
    meshca::print_version(std::cout);
    return 0;
  }
  if (auto status = meshca::expand_stdin_names(*command, std::cin); !status)
    return meshca::report_error(kName, status.error());
  return run(*command);
}
