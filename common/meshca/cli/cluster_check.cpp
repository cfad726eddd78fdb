#include "meshca/cli/cluster_check.h"

#include "meshca/cli/kubeconfig_check.h"

namespace meshca {

Status require_istio_namespace(KubectlRunner& kubectl, const std::optional<std::string>& context) {
  const std::vector<std::string> args = {"get", "namespace", "istio-system", "-o", "name"};
  MESHCA_TRY_ASSIGN(auto output, kubectl.run(args));
  if (output.succeeded())
    return done();
  if (is_not_found(output)) {
    const std::string where = context ? "context \"" + *context + "\"" : "the current context";
    return bad_input(
        "namespace \"istio-system\" not found: the cluster of " + where +
        " has no Istio control plane, so there is nothing to migrate there. Check "
        "--context/--kubeconfig (kubectl config current-context); nothing was changed");
  }
  return classify_kubeconfig_error(
      kubectl_failure(output, args, "checking for namespace istio-system"));
}

} // namespace meshca
