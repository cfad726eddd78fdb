#pragma once
// Request targets (path and query) of the Kubernetes API calls the in-process client makes.
// Pure string building, tested on its own.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// RFC 3986 percent-encoding of a query value: everything but unreserved characters
// (A-Z a-z 0-9 - . _ ~) becomes %XX (upper-case hex).
std::string percent_encode(std::string_view text);

// GET
// /api/v1/namespaces/NS/pods/POD/exec?command=W1&command=W2...&container=C&stderr=true&stdout=true
// (the query kubectl itself sends: stdin and tty off).
std::string exec_target(std::string_view ns, std::string_view pod, std::string_view container,
                        const std::vector<std::string>& command);

struct PodListQuery {
  std::optional<std::string> ns; // nullopt: every namespace
  std::string label_selector;    // "" = all pods
  int limit = 500;               // page size (the API server may return fewer)
  std::string continue_token;    // "" for the first page
};

// /api/v1/pods?limit=500 or /api/v1/namespaces/NS/pods?labelSelector=...&limit=...&continue=...
std::string pod_list_target(const PodListQuery& query);

// /api/v1/namespaces/NS
std::string namespace_target(std::string_view ns);

} // namespace meshca
