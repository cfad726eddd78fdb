#include "meshca/cli/selector_error.h"

#include <array>
#include <string_view>

namespace meshca {

Error classify_selector_error(Error error, const std::string& selector) {
  if (error.status != ExitStatus::cluster_error || selector.empty())
    return error;
  static constexpr std::array<std::string_view, 2> kMarkers = {"unable to parse requirement",
                                                               "couldn't parse the selector"};
  for (std::string_view marker : kMarkers) {
    const std::size_t at = error.message.find(marker);
    if (at == std::string::npos)
      continue;
    std::string reason = error.message.substr(at);
    if (const std::size_t end = reason.find(" (kubectl "); end != std::string::npos)
      reason.erase(end);
    if (const std::size_t end = reason.find(" (GET "); end != std::string::npos)
      reason.erase(end);
    return bad_input("-l/--selector \"" + selector +
                     "\": not a label selector the API server "
                     "accepts (" +
                     reason +
                     "); write it as kubectl get -l takes it, e.g. "
                     "app=web,tier!=db or 'env in (prod,staging)'; nothing was changed");
  }
  return error;
}

} // namespace meshca
