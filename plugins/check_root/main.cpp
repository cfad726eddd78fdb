// kubectl meshca check-root: what every sidecar trusts, who issued its certificate, which trust
// domains it accepts.

#include "meshca/cli/interrupt.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/cli/selector_error.h"
#include "meshca/mesh/meshca_bundle_source.h"
#include "meshca/ops/check_root_cli.h"
#include "meshca/ops/check_root_output.h"
#include "meshca/cli/version_line.h"

#include <iostream>
#include <memory>

namespace {

constexpr const char* kName = "check-root";

meshca::Result<meshca::CheckRootResult> run(const meshca::CheckRootCommand& command,
                                            const meshca::MeshCaRecognizer& recognizer) {
  if (!command.options.config_dumps.empty()) {
    MESHCA_TRY(meshca::check_config_dump_files(command.options.config_dumps));
    auto result = meshca::check_dump_files(command.options, recognizer);
    // Offline there is no cluster: a dump that cannot be read is bad input, not exit 3.
    if (result && result->status == meshca::ExitStatus::cluster_error)
      result->status = meshca::ExitStatus::bad_input;
    return result;
  }
  auto kubectl_path = meshca::prepare_kubectl(command.common);
  if (!kubectl_path)
    return kubectl_path.error();
  const auto verbose = command.common.verbose ? meshca::Verbose::yes : meshca::Verbose::no;
  std::vector<std::unique_ptr<meshca::Kubectl>> runners;
  std::vector<meshca::ClusterReaders> readers; // outlive the check: they own the proxies
  std::vector<meshca::ClusterTarget> targets;
  for (const meshca::ConnectionFlags& flags : command.common.connections()) {
    runners.push_back(std::make_unique<meshca::Kubectl>(*kubectl_path, flags, verbose));
    meshca::ReaderSettings settings;
    settings.transport = command.options.transport;
    settings.proxy.kubectl = *kubectl_path;
    settings.proxy.flags = flags;
    settings.proxy.verbose = verbose;
    settings.proxy.echo = &std::cerr;
    settings.clusters = command.options.trust_domain ? meshca::WantClusters::yes : meshca::WantClusters::no;
    settings.timeout = command.options.exec_timeout;
    auto opened = meshca::open_cluster_readers(settings, std::cerr);
    if (!opened)
      return opened.error();
    readers.push_back(std::move(*opened));
    targets.push_back({flags.context.value_or(""), runners.back().get(), readers.back().lister.get(),
                       readers.back().fetcher.get()});
  }
  return meshca::check_clusters(targets, command.options, recognizer,
                                &meshca::install_interrupt_flag());
}

} // namespace

int main(int argc, char** argv) {
  auto command = meshca::parse_check_root(std::vector<std::string>(argv + 1, argv + argc));
  if (!command)
    return meshca::report_error(kName, command.error());
  if (command->common.help) {
    meshca::print_check_root_help(std::cout);
    return 0;
  }
  if (command->common.version) {
    meshca::print_version(std::cout);
    return 0;
  }
  auto recognizer = meshca::load_meshca_recognizer(
      {command->options.meshca_bundle, meshca::default_cache_dir()});
  if (!recognizer)
    return meshca::report_error(kName, recognizer.error());

  auto result = run(*command, *recognizer);
  if (!result)
    return meshca::report_error(kName, meshca::classify_selector_error(
                                           meshca::classify_kubeconfig_error(result.error()),
                                           command->options.selector));
  std::cout << meshca::render_check_root(*result, command->options) << std::flush;
  if (command->options.output == meshca::OutputFormat::text)
    std::cerr << meshca::render_summary(*result, command->options);
  else if (command->options.output != meshca::OutputFormat::wide) // wide's summary has them
    for (const std::string& warning : result->warnings)
      std::cerr << "warning: " << warning << '\n';
  return meshca::to_int(result->status);
}
