// kubectl meshca prune-revision OLD: remove an old control-plane revision once nothing uses it.

#include "meshca/ops/prune_revision.h"
#include "meshca/cli/cluster_check.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/cli/version_line.h"

#include <iostream>

namespace {

constexpr const char* kName = "prune-revision";

meshca::Status run(const meshca::PruneRevisionCommand& command) {
  auto kubectl_path = meshca::prepare_kubectl(command.common);
  if (!kubectl_path)
    return kubectl_path.error();
  meshca::Kubectl kubectl(*kubectl_path, command.common.connection(),
                          command.common.verbose ? meshca::Verbose::yes : meshca::Verbose::no);
  if (auto present = meshca::require_istio_namespace(kubectl, command.common.connection().context); !present)
    return present.error();
  meshca::PruneEnvironment env{
      kubectl,
      [&](std::string_view question) { return meshca::confirm(question, command.options.assume_yes); },
      std::cout, std::cerr};
  return meshca::run_prune_revision(command.options, env);
}

} // namespace

int main(int argc, char** argv) {
  auto command = meshca::parse_prune_revision(std::vector<std::string>(argv + 1, argv + argc));
  if (!command)
    return meshca::report_error(kName, command.error());
  if (command->common.help) {
    meshca::print_prune_revision_help(std::cout);
    return 0;
  }
  if (command->common.version) {
    meshca::print_version(std::cout);
    return 0;
  }
  auto result = run(*command);
  std::cout << std::flush;
  if (!result)
    return meshca::report_error(kName, meshca::classify_kubeconfig_error(result.error()));
  return 0;
}
