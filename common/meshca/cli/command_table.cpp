#include "meshca/cli/command_table.h"

#include "meshca/util/edit_distance.h"

#include <array>

namespace meshca {
namespace {

constexpr std::array kCommands = {
    CommandInfo{"check-root", "Show which CA roots every sidecar trusts, who issued its certificate",
                "kubectl-meshca-check_root"},
    CommandInfo{"relabel", "Move namespaces to a control-plane revision (or back)",
                "kubectl-meshca-relabel"},
    CommandInfo{"rollout", "Restart workloads and prove every sidecar moved to the new revision",
                "kubectl-meshca-rollout"},
    CommandInfo{"cleanup-secrets", "Back up and delete the old Istio CA secrets, then restart istiod",
                "kubectl-meshca-cleanup_secrets"},
    CommandInfo{"status", "Show where the migration stands and the next command to run",
                "kubectl-meshca-status"},
    CommandInfo{"prune-revision", "Remove an old control-plane revision once nothing uses it",
                "kubectl-meshca-prune_revision"},
};

std::string dashed(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '_')
      c = '-';
  }
  return out;
}

} // namespace

std::span<const CommandInfo> all_commands() { return kCommands; }

std::optional<CommandInfo> find_command(std::string_view name) {
  const std::string wanted = dashed(name);
  for (const CommandInfo& command : kCommands) {
    if (command.name == wanted)
      return command;
  }
  return std::nullopt;
}

std::optional<std::string_view> suggest_command(std::string_view typo) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 0;
  for (const CommandInfo& command : kCommands) {
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
