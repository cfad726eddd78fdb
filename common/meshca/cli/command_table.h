#pragma once
// The commands of the suite: how kubectl names them and which executable serves each.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace meshca {

struct CommandInfo {
  std::string_view name;       // as typed after `kubectl meshca`: "check-root"
  std::string_view summary;    // one line for the help listing
  std::string_view executable; // "kubectl-meshca-check_root"
};

std::span<const CommandInfo> all_commands();

// The command with this name; kubectl's underscore spelling ("check_root") is accepted too.
std::optional<CommandInfo> find_command(std::string_view name);

// The closest command name to a mistyped one, if any is close enough to suggest.
std::optional<std::string_view> suggest_command(std::string_view typo);

} // namespace meshca
