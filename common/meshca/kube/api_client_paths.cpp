#include "meshca/kube/api_client_paths.h"

namespace meshca {
namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Path segments are object names (DNS labels); encode them anyway so a hostile name cannot
// change the path.
std::string segment(std::string_view name) {
  return percent_encode(name);
}

} // namespace

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (unreserved(c)) {
      out += c;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0F];
  }
  return out;
}

std::string exec_target(std::string_view ns, std::string_view pod, std::string_view container,
                        const std::vector<std::string>& command) {
  std::string target = "/api/v1/namespaces/" + segment(ns) + "/pods/" + segment(pod) + "/exec?";
  for (const std::string& word : command)
    target += "command=" + percent_encode(word) + "&";
  target += "container=" + percent_encode(container) + "&stderr=true&stdout=true";
  return target;
}

std::string pod_list_target(const PodListQuery& query) {
  std::string target =
      query.ns ? "/api/v1/namespaces/" + segment(*query.ns) + "/pods" : std::string("/api/v1/pods");
  target += "?";
  if (!query.continue_token.empty())
    target += "continue=" + percent_encode(query.continue_token) + "&";
  if (!query.label_selector.empty())
    target += "labelSelector=" + percent_encode(query.label_selector) + "&";
  target += "limit=" + std::to_string(query.limit);
  return target;
}

std::string namespace_target(std::string_view ns) {
  return "/api/v1/namespaces/" + segment(ns);
}

} // namespace meshca
