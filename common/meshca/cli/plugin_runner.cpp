#include "meshca/cli/plugin_runner.h"

#include "meshca/cli/cluster_check.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/cli/selector_error.h"
#include "meshca/kube/read_memo.h"
#include "meshca/util/interrupt.h"

namespace meshca {

MeshConnection::MeshConnection() = default;
MeshConnection::MeshConnection(MeshConnection&&) noexcept = default;
MeshConnection& MeshConnection::operator=(MeshConnection&&) noexcept = default;
MeshConnection::~MeshConnection() = default;

Result<MeshConnection> connect_to_mesh(const CommonOptions& common, std::ostream& notes) {
  MeshConnection connection;
  MESHCA_TRY_ASSIGN(connection.kubectl_path, prepare_kubectl(common));
  const ConnectionFlags flags = common.connection();
  const Verbose verbose = common.verbose ? Verbose::yes : Verbose::no;
  connection.kubectl = std::make_unique<Kubectl>(connection.kubectl_path, flags, verbose);
  // A kubectl process first: its errors name a bad kubeconfig, context or cluster the way
  // kubectl does, before a proxy is started for the wrong one.
  MESHCA_TRY(require_istio_namespace(*connection.kubectl, flags.context));
  ReaderSettings settings;
  settings.proxy.kubectl = connection.kubectl_path;
  settings.proxy.flags = flags;
  settings.proxy.verbose = verbose;
  settings.proxy.echo = &notes;
  settings.instead = "every read runs its own kubectl instead";
  MESHCA_TRY_ASSIGN(connection.readers, open_cluster_readers(settings, notes));
  connection.proxied =
      proxied_reads_for(connection.readers, *connection.kubectl, flags, settings.timeout);
  // A one-shot command's plan and its checks read the same control-plane lists: once each, up
  // to the run's first change (kube/read_memo.h).
  run_read_memo().enable();
  return connection;
}

const std::atomic<bool>& plugin_cancel_flag() {
  return install_interrupt_flag();
}

int finish_plugin(std::string_view name, const RunOutcome& outcome, const std::string& selector) {
  ExitStatus status = outcome.status;
  for (const Error& reported : outcome.errors) {
    const Error error = classify_selector_error(classify_kubeconfig_error(reported), selector);
    status = worst(status, error.status);
    report_error(name, error);
  }
  std::cerr << outcome.after_errors;
  return to_int(status);
}

} // namespace meshca
