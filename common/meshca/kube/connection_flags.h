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

// kubectl's --request-timeout: a bare whole number of seconds, or a Go duration ("30s",
// "1m30s", "500ms", "1.5h", ".5s"). Its length in milliseconds (0 for "0" or "0s": no timeout),
// or nullopt for text that is neither (bad usage: cli/common_options checks it with this).
std::optional<double> parse_request_timeout(std::string_view text);

// The bound of one request: the duration above, or nullopt for no timeout (0, or under 1 ms) and
// for text that does not parse.
std::optional<std::chrono::milliseconds> request_timeout_duration(std::string_view text);

// What stands for "no timeout" where a bound is needed: longer than any read lasts, and small
// enough that adding it to a clock's now() cannot overflow.
inline constexpr std::chrono::milliseconds kNoRequestTimeout = std::chrono::hours(24 * 365);

// The bound of a list read through a kubectl proxy on this connection: the user's
// --request-timeout, as kubectl would keep it (kNoRequestTimeout for "0": kubectl then waits as
// long as the list takes), else `otherwise`.
std::chrono::milliseconds list_request_timeout(const ConnectionFlags& flags,
                                               std::chrono::milliseconds otherwise);

} // namespace meshca
