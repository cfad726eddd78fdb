#include "meshca/kube/connection_flags.h"

namespace meshca {

std::vector<std::string> ConnectionFlags::to_args() const {
  std::vector<std::string> args;
  auto add = [&args](const char* flag, const std::optional<std::string>& value) {
    if (!value)
      return;
    args.emplace_back(flag);
    args.push_back(*value);
  };
  add("--kubeconfig", kubeconfig);
  add("--context", context);
  add("--cluster", cluster);
  add("--user", user);
  add("--request-timeout", request_timeout);
  return args;
}

} // namespace meshca
