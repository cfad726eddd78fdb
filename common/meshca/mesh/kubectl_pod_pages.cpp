#include "meshca/mesh/kubectl_pod_pages.h"

#include "meshca/kube/api_client_paths.h"
#include "meshca/mesh/pod_pager.h"

namespace meshca {

Result<PodSelection> list_sidecar_pods_paged(KubectlRunner& kubectl, int page_size) {
  return list_pods_paged(kubectl, true, nullptr, page_size);
}

Result<PodSelection> list_pods_paged(KubectlRunner& kubectl, bool skip_system_namespaces,
                                     const PageObserver* observer, int page_size) {
  const ReadPodPage read = [&kubectl](const PodListQuery& query) -> Result<PodPage> {
    const std::vector<std::string> args = {"get", "--raw", pod_list_target(query)};
    std::string attempts;
    MESHCA_TRY_ASSIGN(auto output, run_with_retries(kubectl, args, std::nullopt, {}, &attempts));
    // kubectl prints the API's 410 as "... (Gone)".
    if (!output.succeeded() && !query.continue_token.empty() &&
        output.err.find("(Gone)") != std::string::npos)
      return PodPage{true, ""};
    if (!output.succeeded())
      return kubectl_failure(output, args, "listing pods", attempts);
    return PodPage{false, std::move(output.out)};
  };
  return read_pod_pages({PodListQuery{std::nullopt, "", page_size, ""}}, skip_system_namespaces,
                        read, observer);
}

} // namespace meshca
