#include "meshca/cli/sibling.h"

#include "meshca/util/process.h"

#include <filesystem>

namespace meshca {

Result<std::string> locate_sibling(const CommandInfo& command) {
  const std::string executable(command.executable);
  std::string looked_in;
  if (auto self = own_executable_path()) {
    const std::filesystem::path dir = std::filesystem::path(*self).parent_path();
    const std::string candidate = (dir / executable).string();
    if (is_executable_file(candidate))
      return candidate;
    looked_in = dir.string() + " and ";
  }
  if (auto on_path = find_in_path(executable))
    return *on_path;
  return bad_input("command \"" + std::string(command.name) + "\" is not installed: " + executable +
                   " is not in " + looked_in +
                   "not on PATH; reinstall kubectl-meshca (kubectl krew install meshca)");
}

} // namespace meshca
