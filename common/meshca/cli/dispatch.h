#pragma once
// What `kubectl meshca ARGS...` asks the dispatcher to do. Pure: no I/O, tested as an argv table.

#include "meshca/cli/command_table.h"

#include <string>
#include <variant>
#include <vector>

namespace meshca {

struct ShowHelp {};
struct ShowVersion {};
struct RunCommand {
  CommandInfo command;
  // Flags given before the command name come first (kubectl hands a plugin every argument after
  // its name, so `kubectl meshca --context x check-root` reaches the dispatcher), then the rest.
  std::vector<std::string> args;
};
struct DispatchError {
  std::string message;
};

using DispatchPlan = std::variant<ShowHelp, ShowVersion, RunCommand, DispatchError>;

DispatchPlan plan_dispatch(const std::vector<std::string>& args, CommandTable commands);

} // namespace meshca
