#pragma once
// What shell completion knows about each command's command line: its flags (taken from the
// options descriptions the parsers use, so they cannot drift apart), what completes each flag's
// value, and what its positional arguments are, read from the command's registry row.

#include "meshca/cli/command_table.h"

#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// Where a value's candidates come from.
enum class ValueSource {
  none,               // free text (a selector, a duration): nothing to suggest
  fixed,              // FlagSpec::values
  comma_list,         // FlagSpec::values, several joined by ',' (--kinds deployment,statefulset)
  namespaces,         // the cluster's namespaces
  contexts,           // the kubeconfig's contexts
  revisions,          // control-plane revisions (istio.io/rev of istiod and gateway Deployments)
  revisions_and_tags, // revisions served by an istiod, and revision tags
  files,              // the shell's file completion
  dirs,               // the shell's directory completion
};

// How a flag takes its value.
enum class FlagArity {
  none,     // a switch: --force
  optional, // only as --flag=value; a bare --dry-run never takes the next word
  required, // --flag value or --flag=value
};

struct ValueChoice {
  std::string value;
  std::string description; // "" when the value says it all
};

struct FlagSpec {
  std::string long_name;   // "namespace" (no dashes)
  char short_name = '\0';  // 'n', or '\0'
  std::string description; // the first line of the flag's help
  FlagArity arity = FlagArity::none;
  bool repeatable = false; // may be given again (--context, --config-dump)
  ValueSource source = ValueSource::none;
  std::vector<ValueChoice> values; // for fixed and comma_list
};

struct CommandSpec {
  std::string name;            // "check-root"
  std::vector<FlagSpec> flags; // its own flags, then the common ones it takes
  PositionalSource positionals = PositionalSource::none;

  // The flag named "--long", "-s" or "long"/"s" (without dashes), or nullptr.
  const FlagSpec* find(std::string_view flag_name) const;
};

// The completion spec of a command of the registry: its own flags, then the common ones it takes.
CommandSpec command_spec(const CommandInfo& command);

// The flags the dispatcher accepts before a command name (the common flags, every scope flag).
CommandSpec dispatcher_spec();

} // namespace meshca
