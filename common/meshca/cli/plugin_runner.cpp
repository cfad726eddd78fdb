#include "meshca/cli/plugin_runner.h"

#include "meshca/cli/cluster_check.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/cli/selector_error.h"
#include "meshca/kube/read_memo.h"
#include "meshca/util/interrupt.h"

namespace meshca {

Result<MeshConnection> connect_to_mesh(const CommonOptions& common) {
  MESHCA_TRY_ASSIGN(auto kubectl_path, prepare_kubectl(common));
  MeshConnection connection{kubectl_path,
                            std::make_unique<Kubectl>(kubectl_path, common.connection(),
                                                      common.verbose ? Verbose::yes : Verbose::no)};
  MESHCA_TRY(require_istio_namespace(*connection.kubectl, common.connection().context));
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
