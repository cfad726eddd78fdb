#include "meshca/cli/dispatch.h"

#include "meshca/util/edit_distance.h"

#include <array>
#include <string_view>

namespace meshca {
namespace {

// Flags every command takes, so the dispatcher can pass them on when they precede the command.
constexpr std::array<std::string_view, 10> kValueFlags = {
    "--kubeconfig", "--context",   "--cluster", "--user",   "--request-timeout",
    "--kubectl",    "--namespace", "-n",        "--output", "-o"};
constexpr std::array<std::string_view, 4> kSwitchFlags = {"--verbose", "-v", "--all-namespaces",
                                                          "-A"};

bool contains(auto& table, std::string_view flag) {
  for (std::string_view known : table) {
    if (known == flag)
      return true;
  }
  return false;
}

void consider(std::string_view flag, std::string_view known, std::string_view& best,
              std::size_t& best_distance) {
  if (known.size() <= 2) // short flags are too close to everything to suggest
    return;
  const std::size_t distance = edit_distance(flag, known);
  if (distance < best_distance) {
    best = known;
    best_distance = distance;
  }
}

std::string unknown_flag_message(std::string_view flag) {
  std::string message = "unknown flag " + std::string(flag) + " before the command name";
  std::string_view best;
  std::size_t best_distance = 3; // only suggest close matches
  for (std::string_view known : kValueFlags)
    consider(flag, known, best, best_distance);
  for (std::string_view known : kSwitchFlags)
    consider(flag, known, best, best_distance);
  if (!best.empty())
    message += "; did you mean " + std::string(best) + "?";
  return message + " (see 'kubectl meshca --help')";
}

std::string unknown_command_message(CommandTable commands, std::string_view name) {
  std::string message = "unknown command \"" + std::string(name) + "\" for \"kubectl meshca\"";
  if (auto suggestion = suggest_command(commands, name))
    message += "; did you mean \"" + std::string(*suggestion) + "\"?";
  return message + " (see 'kubectl meshca --help' for the list)";
}

} // namespace

DispatchPlan plan_dispatch(const std::vector<std::string>& args, CommandTable commands) {
  std::vector<std::string> leading_flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help" || arg == "help") {
      // `help CMD` is `CMD --help`.
      if (arg == "help" && i + 1 < args.size()) {
        auto command = find_command(commands, args[i + 1]);
        if (!command)
          return DispatchError{unknown_command_message(commands, args[i + 1])};
        return RunCommand{*command, {"--help"}};
      }
      return ShowHelp{};
    }
    if (arg == "--version" || arg == "version")
      return ShowVersion{};
    if (arg.starts_with("-")) {
      const std::string_view name = std::string_view(arg).substr(0, arg.find('='));
      if (contains(kSwitchFlags, name) && name == arg) {
        leading_flags.push_back(arg);
        continue;
      }
      if (!contains(kValueFlags, name))
        return DispatchError{unknown_flag_message(name)};
      leading_flags.push_back(arg);
      if (name == arg) { // the value is the next argument
        if (i + 1 >= args.size())
          return DispatchError{"flag " + arg + " needs a value"};
        leading_flags.push_back(args[++i]);
      }
      continue;
    }
    auto command = find_command(commands, arg);
    if (!command)
      return DispatchError{unknown_command_message(commands, arg)};
    std::vector<std::string> forwarded = leading_flags;
    forwarded.insert(forwarded.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                     args.end());
    return RunCommand{*command, std::move(forwarded)};
  }
  return ShowHelp{};
}

} // namespace meshca
