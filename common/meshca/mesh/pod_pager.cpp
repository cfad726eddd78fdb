#include "meshca/mesh/pod_pager.h"

#include "meshca/util/json.h"

#include <algorithm>
#include <iterator>
#include <rapidjson/error/en.h>
#include <tuple>

namespace meshca {

Result<std::string> PodPager::add_page(std::string body) {
  // In place: the document's strings point into `body`, so a page is held once, not twice.
  rapidjson::Document page;
  page.ParseInsitu(body.data());
  if (page.HasParseError())
    return bad_input("pod list page " + std::to_string(pages_ + 1) + ": invalid JSON at offset " +
                     std::to_string(page.GetErrorOffset()) + ": " +
                     rapidjson::GetParseError_En(page.GetParseError()));
  MESHCA_TRY_ASSIGN(auto selection, select_sidecar_pods(page, skip_system_));
  if (observer_ != nullptr && observer_->page)
    observer_->page(page);
  ++pages_;
  all_.not_running += selection.not_running;
  all_.without_sidecar += selection.without_sidecar;
  all_.excluded_namespace += selection.excluded_namespace;
  std::move(selection.sidecars.begin(), selection.sidecars.end(),
            std::back_inserter(all_.sidecars));
  const rapidjson::Value* metadata = json::object_member(page, "metadata");
  const auto token = metadata ? json::string_member(*metadata, "continue") : std::nullopt;
  return std::string(token.value_or(""));
}

PodSelection PodPager::take() {
  std::sort(all_.sidecars.begin(), all_.sidecars.end(),
            [](const SidecarPod& a, const SidecarPod& b) {
              return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
            });
  return std::move(all_);
}

namespace {

enum class ListingRead { done, token_expired };

Result<ListingRead> read_listing(PodListQuery query, const ReadPodPage& read, PodPager& pager) {
  query.continue_token.clear();
  do {
    MESHCA_TRY_ASSIGN(auto page, read(query));
    if (page.token_expired)
      return ListingRead::token_expired;
    auto token = pager.add_page(std::move(page.body));
    if (!token)
      return cluster_error("listing pods: " + token.error().message);
    query.continue_token = std::move(*token);
  } while (!query.continue_token.empty());
  return ListingRead::done;
}

} // namespace

Result<PodSelection> read_pod_pages(const std::vector<PodListQuery>& listings,
                                    bool skip_system_namespaces, const ReadPodPage& read,
                                    const PageObserver* observer) {
  for (int pass = 0; pass < 2; ++pass) {
    if (pass > 0 && observer != nullptr && observer->restart)
      observer->restart();
    PodPager pager(skip_system_namespaces, observer);
    bool expired = false;
    for (const PodListQuery& listing : listings) {
      MESHCA_TRY_ASSIGN(auto outcome, read_listing(listing, read, pager));
      if (outcome == ListingRead::token_expired) {
        expired = true;
        break;
      }
    }
    if (!expired)
      return pager.take();
  }
  return cluster_error("listing pods: the list changed too much while it was read page by page "
                       "(its continue token expired twice); run the command again");
}

} // namespace meshca
