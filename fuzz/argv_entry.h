#pragma once
// Fuzz entry for argument validation: the input is a `kubectl meshca ...` command line, one word
// per NUL- or newline-separated piece. The dispatcher picks the command (cli/dispatch.h) and that
// command's registry row (commands/registry.h) validates the rest, as the plugins do. Each word
// also goes through the value parsers (durations, revision names), and the whole input through the
// stdin namespace readers that `-` enables.

#include "fuzz_check.h"
#include "meshca/cli/dispatch.h"
#include "meshca/cli/name_input.h"
#include "meshca/commands/check_root/check_root_cli.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_cli.h"
#include "meshca/commands/prune_revision/prune_revision_cli.h"
#include "meshca/commands/registry.h"
#include "meshca/commands/relabel/relabel_cli.h"
#include "meshca/commands/rollout/rollout_cli.h"

#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace meshca::fuzz {

// "a\0b\nc" -> {"a", "b", "c"}; empty pieces are kept (an empty argument is a real argument).
inline std::vector<std::string> split_words(std::string_view data) {
  std::vector<std::string> words;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= data.size(); ++i) {
    if (i == data.size() || data[i] == '\0' || data[i] == '\n') {
      words.emplace_back(data.substr(start, i - start));
      start = i + 1;
    }
  }
  return words;
}

template <class R>
Outcome checked(const R& result) {
  if (!result.ok())
    require(result.error().status == ExitStatus::bad_input && !result.error().message.empty(),
            "a command-line error is bad_input with a message");
  return outcome_of(result);
}

// The command's own check, from the registry row the dispatcher picked: its parser, and its
// stdin reader when the line asks for names from stdin (`-`).
inline Outcome command_args(const CommandInfo& command, const std::vector<std::string>& args,
                            std::string_view data) {
  std::istringstream in{std::string(data)};
  return checked(command.check_command_line(args, in));
}

inline void value_words(const std::vector<std::string>& words) {
  for (const auto& word : words) {
    if (const auto hours = parse_expiry_warn(word); hours.ok())
      require(hours->count() >= 0, "--expiry-warn is not negative");
    if (const auto seconds = parse_timeout(word, "--timeout"); seconds.ok())
      require(seconds->count() > 0, "--timeout is positive");
    if (const auto seconds = parse_wait_duration(word, "--timeout"); seconds.ok())
      require(seconds->count() > 0, "--timeout is positive");
    if (is_revision_name(word))
      require(!word.empty() && word.size() <= 63, "a revision name is 1-63 characters");
    static_cast<void>(is_dns1035_label(word));
  }
}

inline Outcome argv_input(std::string_view data) {
  const auto words = split_words(data);
  value_words(words);
  {
    std::istringstream in{std::string(data)};
    static_cast<void>(read_namespace_names(in));
  }
  const auto plan = plan_dispatch(words, command_registry());
  if (const auto* run = std::get_if<RunCommand>(&plan))
    return command_args(run->command, run->args, data);
  if (const auto* error = std::get_if<DispatchError>(&plan)) {
    require(!error->message.empty(), "a dispatch error has a message");
    return Outcome::error;
  }
  return Outcome::value; // help or version
}

} // namespace meshca::fuzz
