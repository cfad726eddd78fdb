#pragma once
// Pod lists read page by page (`limit` + `continue`), each page parsed and reduced to the sidecar
// pods it holds before the next one is read, so memory stays bounded by one page however big the
// cluster. Pure: the requests are made by the transport's page reader (ApiPodLister in
// mesh/dump_fetcher.h, list_sidecar_pods_paged in mesh/kubectl_pod_pages.h), given to
// read_pod_pages, the one page loop.

#include "meshca/kube/api_client_paths.h"
#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/result.h"

#include <functional>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// Shown each page's document as it is read, for a reader that keeps more of every pod than its
// sidecars (prune-revision: the ready pods Services select). `restart` is called when the list
// starts over (an expired continue token): what was kept from the pages before is stale.
struct PageObserver {
  std::function<void(const rapidjson::Value& page)> page;
  std::function<void()> restart;
};

class PodPager {
 public:
  explicit PodPager(bool skip_system_namespaces, const PageObserver* observer = nullptr)
      : skip_system_(skip_system_namespaces), observer_(observer) {}

  // Adds one page (a PodList JSON body). Returns the continue token for the next page, "" when
  // this was the last. bad_input when the body is not a pod list.
  // The page is parsed in place in `body` (pass it by std::move: no copy of the page is made).
  Result<std::string> add_page(std::string body);

  // Every page so far, sidecars sorted by namespace and name.
  PodSelection take();

  std::size_t pages() const { return pages_; }

 private:
  bool skip_system_;
  const PageObserver* observer_;
  std::size_t pages_ = 0;
  PodSelection all_;
};

// One page as a transport read it: the PodList body, or that the API server no longer knows the
// continue token (410 Gone: the list changed past it, or the token is older than about 5
// minutes). A transport says token_expired only for a query with a continue token.
struct PodPage {
  bool token_expired = false;
  std::string body;
};
// Reads the page `query` names; its errors are the transport's (cluster_error, naming the request).
using ReadPodPage = std::function<Result<PodPage>(const PodListQuery& query)>;

// The sidecar pods of every listing (one query per namespace, or one of every namespace), read
// a page at a time with `read` into one selection. An expired continue token starts the whole
// list over, once (the Kubernetes API's advice, "Retrieving large results sets in chunks"): a
// cluster changing faster than it can be read is then a cluster_error, not a loop. A page that is
// not a pod list is a cluster_error too.
// `observer`, when given, is shown every page (see PageObserver).
Result<PodSelection> read_pod_pages(const std::vector<PodListQuery>& listings,
                                    bool skip_system_namespaces, const ReadPodPage& read,
                                    const PageObserver* observer = nullptr);

} // namespace meshca
