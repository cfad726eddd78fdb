#include "meshca/commands/check_root/check_root_plugin.h"

#include "meshca/cli/kubeconfig_check.h"
#include "meshca/commands/check_root/check_root_output.h"
#include "meshca/mesh/meshca_bundle_source.h"

#include <memory>

namespace meshca {
namespace {

// Saved dumps (--config-dump): no cluster, so a dump that cannot be read is bad input, not exit 3.
Result<CheckRootResult> check_files(const CheckRootOptions& options,
                                    const MeshCaRecognizer& recognizer) {
  MESHCA_TRY(check_config_dump_files(options.config_dumps));
  auto result = check_dump_files(options, recognizer);
  if (result && result->status == ExitStatus::cluster_error)
    result->status = ExitStatus::bad_input;
  return result;
}

// Every --context read at once, each through its own transport (--transport).
Result<CheckRootResult> check_live(const CheckRootCommand& command,
                                   const MeshCaRecognizer& recognizer, PluginContext& context) {
  MESHCA_TRY_ASSIGN(auto kubectl_path, prepare_kubectl(command.common));
  const auto verbose = command.common.verbose ? Verbose::yes : Verbose::no;
  std::vector<std::unique_ptr<Kubectl>> runners;
  std::vector<ClusterReaders> readers; // outlive the check: they own the proxies
  std::vector<ClusterTarget> targets;
  for (const ConnectionFlags& flags : command.common.connections()) {
    runners.push_back(std::make_unique<Kubectl>(kubectl_path, flags, verbose));
    ReaderSettings settings;
    settings.transport = command.options.transport;
    settings.proxy.kubectl = kubectl_path;
    settings.proxy.flags = flags;
    settings.proxy.verbose = verbose;
    settings.proxy.echo = &context.err;
    settings.clusters = command.options.trust_domain ? WantClusters::yes : WantClusters::no;
    settings.timeout = command.options.exec_timeout;
    MESHCA_TRY_ASSIGN(auto opened, open_cluster_readers(settings, context.err));
    readers.push_back(std::move(opened));
    targets.push_back({flags.context.value_or(""), runners.back().get(),
                       readers.back().lister.get(), readers.back().fetcher.get()});
  }
  return check_clusters(targets, command.options, recognizer, &context.cancel);
}

RunOutcome run(const CheckRootCommand& command, PluginContext& context) {
  const CheckRootOptions& options = command.options;
  MESHCA_TRY_ASSIGN(auto recognizer,
                    load_meshca_recognizer({options.meshca_bundle, default_cache_dir()}));
  MESHCA_TRY_ASSIGN(auto result, options.config_dumps.empty()
                                     ? check_live(command, recognizer, context)
                                     : check_files(options, recognizer));
  write_check_root(result, options, context.out);
  context.out << std::flush;
  if (options.output == OutputFormat::text)
    context.err << render_summary(result, options);
  else if (options.output != OutputFormat::wide) // wide's summary has them
    for (const std::string& warning : result.warnings)
      context.err << "warning: " << warning << '\n';
  return result.status;
}

std::string selector(const CheckRootCommand& command) {
  return command.options.selector;
}

} // namespace

const PluginDefinition<CheckRootCommand>& check_root_plugin() {
  static const PluginDefinition<CheckRootCommand> plugin{
      "check-root", parse_check_root, print_check_root_help, nullptr, run, selector};
  return plugin;
}

} // namespace meshca
