#pragma once
// The kubectl flags that choose the cluster and the credentials; passed through unchanged.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

struct ConnectionFlags {
  std::optional<std::string> kubeconfig;
  std::optional<std::string> context;
  std::optional<std::string> cluster;
  std::optional<std::string> user;
  std::optional<std::string> request_timeout;

  // The flags as kubectl arguments, each flag and its value a separate argument (never
  // "--flag=value", so a value starting with '-' or holding '=' reaches kubectl intact):
  // {"--kubeconfig", "/k", "--context", "east", ...}. Unset flags are left out.
  std::vector<std::string> to_args() const;

  bool operator==(const ConnectionFlags&) const = default;
};

// kubectl's --request-timeout as a duration: a bare number of seconds or a Go duration ("30s",
// "1m30s", "500ms"); nullopt for "0" (no timeout) and for text that is neither (the command line
// is checked before this, see cli/common_options).
std::optional<std::chrono::milliseconds> request_timeout_duration(std::string_view text);

} // namespace meshca
