#include "meshca/mesh/kubectl_pod_pages.h"

#include "meshca/kube/api_client_paths.h"
#include "meshca/mesh/pod_pager.h"

namespace meshca {

Result<PodSelection> list_sidecar_pods_paged(KubectlRunner& kubectl, int page_size) {
  PodPager pager(true);
  PodListQuery query{std::nullopt, "", page_size, ""};
  do {
    const std::vector<std::string> args = {"get", "--raw", pod_list_target(query)};
    std::string attempts;
    MESHCA_TRY_ASSIGN(auto output, run_with_retries(kubectl, args, std::nullopt, {}, &attempts));
    if (!output.succeeded() && !query.continue_token.empty() &&
        output.err.find("(Gone)") != std::string::npos)
      return cluster_error("listing pods: the list changed too much while it was read page by "
                           "page (its continue token expired); run the command again");
    if (!output.succeeded())
      return kubectl_failure(output, args, "listing pods", attempts);
    auto token = pager.add_page(std::move(output.out));
    if (!token)
      return cluster_error("listing pods: " + token.error().message);
    query.continue_token = std::move(*token);
  } while (!query.continue_token.empty());
  return pager.take();
}

} // namespace meshca
