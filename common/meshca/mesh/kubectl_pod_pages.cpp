#include "meshca/mesh/kubectl_pod_pages.h"

#include "meshca/kube/api_client_paths.h"
#include "meshca/mesh/pod_pager.h"

namespace meshca {
namespace {

enum class PagesRead { done, token_expired };

// Reads every page into `pager`; token_expired when the API server no longer knows the continue
// token (410 Gone: the list changed past it, or it is older than about 5 minutes).
Result<PagesRead> read_pages(KubectlRunner& kubectl, int page_size, PodPager& pager) {
  PodListQuery query{std::nullopt, "", page_size, ""};
  do {
    const std::vector<std::string> args = {"get", "--raw", pod_list_target(query)};
    std::string attempts;
    MESHCA_TRY_ASSIGN(auto output, run_with_retries(kubectl, args, std::nullopt, {}, &attempts));
    if (!output.succeeded() && !query.continue_token.empty() &&
        output.err.find("(Gone)") != std::string::npos)
      return PagesRead::token_expired;
    if (!output.succeeded())
      return kubectl_failure(output, args, "listing pods", attempts);
    auto token = pager.add_page(std::move(output.out));
    if (!token)
      return cluster_error("listing pods: " + token.error().message);
    query.continue_token = std::move(*token);
  } while (!query.continue_token.empty());
  return PagesRead::done;
}

} // namespace

Result<PodSelection> list_sidecar_pods_paged(KubectlRunner& kubectl, int page_size) {
  // An expired token means starting over (the API's own advice, "Retrieving large results sets
  // in chunks"); once, so a cluster changing faster than it can be read is an error, not a loop.
  for (int attempt = 0; attempt < 2; ++attempt) {
    PodPager pager(true);
    MESHCA_TRY_ASSIGN(auto read, read_pages(kubectl, page_size, pager));
    if (read == PagesRead::done)
      return pager.take();
  }
  return cluster_error("listing pods: the list changed too much while it was read page by page "
                       "(its continue token expired twice); run the command again");
}

} // namespace meshca
