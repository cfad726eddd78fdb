// kubectl meshca cleanup-secrets: back up and delete the Citadel CA secrets once no sidecar needs
// them, restart istiod; --restore puts them back.

#include "meshca/cli/interrupt.h"
#include "meshca/mesh/meshca_bundle_source.h"
#include "meshca/ops/cleanup_secrets.h"
#include "meshca/cli/cluster_check.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/cli/version_line.h"

#include <iostream>

namespace {

constexpr const char* kName = "cleanup-secrets";

meshca::Status run(const meshca::CleanupSecretsCommand& command) {
  if (command.options.mode == meshca::CleanupMode::cleanup)
    MESHCA_TRY(meshca::check_backup_dir_usable(command.options.dir));
  auto kubectl_path = meshca::prepare_kubectl(command.common);
  if (!kubectl_path)
    return kubectl_path.error();
  meshca::Kubectl kubectl(*kubectl_path, command.common.connection(),
                          command.common.verbose ? meshca::Verbose::yes : meshca::Verbose::no);
  if (auto present = meshca::require_istio_namespace(kubectl, command.common.connection().context); !present)
    return present.error();
  const meshca::CleanupSecretsOptions& options = command.options;
  meshca::CleanupEnvironment env{
      kubectl,
      [&]() -> meshca::Result<meshca::CheckRootResult> {
        auto recognizer = meshca::load_meshca_recognizer(
            {options.meshca_bundle, meshca::default_cache_dir()});
        if (!recognizer)
          return recognizer.error();
        std::cerr << recognizer->description() << '\n';
        return meshca::check_clusters({{"", &kubectl}}, meshca::precondition_check_options(options),
                                      *recognizer, &meshca::install_interrupt_flag());
      },
      [&](std::string_view question) { return meshca::confirm(question, options.assume_yes); },
      std::cout,
      std::cerr};
  if (options.mode == meshca::CleanupMode::restore)
    return meshca::run_restore_secrets(options, env);
  return meshca::run_cleanup_secrets(options, env);
}

} // namespace

int main(int argc, char** argv) {
  auto command = meshca::parse_cleanup_secrets(std::vector<std::string>(argv + 1, argv + argc));
  if (!command)
    return meshca::report_error(kName, command.error());
  if (command->common.help) {
    meshca::print_cleanup_secrets_help(std::cout);
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
