#pragma once
// Pod lists read page by page (`limit` + `continue`), each page parsed and reduced to the sidecar
// pods it holds before the next one is read, so memory stays bounded by one page however big the
// cluster. Pure; the requests are made by ApiPodLister (mesh/dump_fetcher.h).

#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/result.h"

#include <string>
#include <string_view>

namespace meshca {

class PodPager {
 public:
  explicit PodPager(bool skip_system_namespaces) : skip_system_(skip_system_namespaces) {}

  // Adds one page (a PodList JSON body). Returns the continue token for the next page, "" when
  // this was the last. bad_input when the body is not a pod list.
  // The page is parsed in place in `body` (pass it by std::move: no copy of the page is made).
  Result<std::string> add_page(std::string body);

  // Every page so far, sidecars sorted by namespace and name.
  PodSelection take();

  std::size_t pages() const { return pages_; }

 private:
  bool skip_system_;
  std::size_t pages_ = 0;
  PodSelection all_;
};

} // namespace meshca
