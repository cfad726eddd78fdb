#pragma once
// Shell completion through kubectl's plugin completion (kubectl 1.26+). For `kubectl meshca ...
// <TAB>` kubectl runs `kubectl_complete-meshca-<command executable suffix>` when the command's own
// executable is a plugin on PATH, else `kubectl_complete-meshca` with the command name as first
// word; it passes the words typed after that name (the last one is being completed, "" for a new
// word) and reads one candidate per line ("value" or "value\tdescription"), then optionally
// ":<directive>" (cobra's ShellCompDirective).
// Planning is pure: the words decide the candidates, or which lookup (cluster or kubeconfig)
// supplies them; completion_cluster.h performs the lookups.

#include "meshca/cli/command_table.h"
#include "meshca/kube/connection_flags.h"
#include "meshca/util/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// cobra's ShellCompDirective bits.
enum class Directive : unsigned {
  files = 0, // no directive: the shell may complete file names
  error = 1,
  no_space = 2,     // no space after the candidate (the word goes on: a comma list)
  no_file = 4,      // never fall back to file names
  filter_ext = 8,   // the candidates are file extensions to complete
  filter_dirs = 16, // complete directory names
  keep_order = 32,
};

constexpr Directive operator|(Directive a, Directive b) {
  return static_cast<Directive>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}

struct Candidate {
  std::string value;
  std::string description; // "" for none
  bool operator==(const Candidate&) const = default;
};

// Values that must be looked up when completing.
enum class Lookup { none, namespaces, contexts, revisions, revisions_and_tags };

struct CompletionPlan {
  std::vector<Candidate> candidates; // known without a lookup, already filtered by `prefix`
  Directive directive = Directive::no_file;
  Lookup lookup = Lookup::none;
  std::string prefix;               // looked-up values must start with it (the word typed so far)
  std::vector<std::string> exclude; // looked-up values already on the line (namespaces given)
  ConnectionFlags connection;       // --kubeconfig, --context (the first), --cluster, --user typed
  std::optional<std::string> kubectl; // --kubectl typed on the line
};

struct CompletionRequest {
  // The command the completion executable's name says; nullopt for kubectl_complete-meshca, whose
  // words may start with flags and the command name.
  std::optional<CommandInfo> command;
  std::vector<std::string> words; // as kubectl passes them; the last one is completed
  // Commands kubectl lists by itself (their executables are plugins on PATH): left out of the
  // command names offered, so none shows twice.
  std::vector<std::string_view> listed_by_kubectl;
  CommandTable commands; // the suite's commands (commands/registry.h)
};

CompletionPlan plan_completion(const CompletionRequest& request);

// The command a completion executable serves, from its name (argv[0]'s last path part):
// "kubectl_complete-meshca" gives nullopt (the dispatcher), "kubectl_complete-meshca-check_root"
// gives check-root. Any other name is bad_input naming the expected ones.
Result<std::optional<CommandInfo>> completion_command_for(std::string_view executable_name,
                                                          CommandTable commands);

// The completion executable kubectl looks for when `command`'s executable is on PATH:
// "kubectl_complete-meshca-check_root".
std::string completion_executable(const CommandInfo& command);

struct Completion {
  std::vector<Candidate> candidates;
  Directive directive = Directive::no_file;
};

// The lines kubectl reads: "value\tdescription" (or "value") per candidate, then ":<directive>".
// Tabs and line breaks inside a value or description are replaced by spaces.
std::string render_completion(const Completion& completion);

} // namespace meshca
