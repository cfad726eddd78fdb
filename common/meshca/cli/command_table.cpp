#include "meshca/cli/command_table.h"

#include "meshca/util/edit_distance.h"

#include <algorithm>

namespace meshca {
namespace {

std::string dashed(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '_')
      c = '-';
  }
  return out;
}

} // namespace

std::optional<CommandInfo> find_command(CommandTable commands, std::string_view name) {
  const std::string wanted = dashed(name);
  for (const CommandInfo& command : commands) {
    if (command.name == wanted)
      return command;
  }
  return std::nullopt;
}

std::optional<std::string_view> suggest_command(CommandTable commands, std::string_view typo) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 0;
  for (const CommandInfo& command : commands) {
    const std::size_t distance = edit_distance(typo, command.name);
    if (!best || distance < best_distance) {
      best = command.name;
      best_distance = distance;
    }
  }
  // Suggest only when the typo is plausibly the same word: at most a third of it differs.
  if (best && best_distance <= std::max<std::size_t>(2, typo.size() / 3))
    return best;
  return std::nullopt;
}

} // namespace meshca
