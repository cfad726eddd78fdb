#pragma once
// What the suite knows about each of its commands: how kubectl names it, which executable serves
// it, its flags and positional arguments (for completion) and how to check a command line (for
// the argv fuzzer). The rows live in the registry (commands/registry.h); the dispatcher,
// completion and help take the table they read as an argument, so this layer needs no command.

#include "meshca/cli/common_options.h"
#include "meshca/util/result.h"

#include <boost/program_options/options_description.hpp>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// What a command's positional arguments are.
enum class PositionalSource {
  none,           // the command takes none
  namespaces,     // NAMESPACE...
  relabel_target, // `ns` first, then NAMESPACE...
  revision,       // one revision (prune-revision OLD)
  commands,       // a command name (the dispatcher, before the command)
};

struct CommandInfo {
  std::string_view name;       // as typed after `kubectl meshca`: "check-root"
  std::string_view summary;    // one line for the help listing
  std::string_view executable; // "kubectl-meshca-check_root"
  // Its own flags, from the options description its parser uses (so completion cannot drift).
  boost::program_options::options_description (*own_flags)() = nullptr;
  CommonFlagSet common; // the common flag groups its parser takes
  PositionalSource positionals = PositionalSource::none;
  // Parses and validates `args` as the plugin does before it runs, `in` standing for stdin
  // (read only when the arguments ask for it with `-`). bad_input with a message otherwise.
  Status (*check_command_line)(const std::vector<std::string>& args, std::istream& in) = nullptr;
};

using CommandTable = std::span<const CommandInfo>;

// The command with this name; kubectl's underscore spelling ("check_root") is accepted too.
std::optional<CommandInfo> find_command(CommandTable commands, std::string_view name);

// The closest command name to a mistyped one, if any is close enough to suggest.
std::optional<std::string_view> suggest_command(CommandTable commands, std::string_view typo);

} // namespace meshca
