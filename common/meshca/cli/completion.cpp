#include "meshca/cli/completion.h"

#include "meshca/cli/completion_flags.h"

#include <algorithm>
#include <span>

namespace meshca {
namespace {

constexpr std::string_view kDispatcherCompleter = "kubectl_complete-meshca";
constexpr std::string_view kExecutablePrefix = "kubectl-meshca-";

// What the words before the completed one say.
struct LineState {
  std::vector<std::string> positional;
  std::vector<std::string> given; // long names of the flags given
  ConnectionFlags connection;
  std::optional<std::string> kubectl;
  const FlagSpec* pending = nullptr; // the last word is a flag waiting for its value
  bool end_of_flags = false;         // "--" was given
};

void record_value(LineState& state, const FlagSpec& flag, const std::string& value) {
  const std::string& name = flag.long_name;
  if (name == "kubeconfig")
    state.connection.kubeconfig = value;
  else if (name == "context" && !state.connection.context)
    state.connection.context = value; // the first cluster, as the commands read it
  else if (name == "cluster")
    state.connection.cluster = value;
  else if (name == "user")
    state.connection.user = value;
  else if (name == "kubectl")
    state.kubectl = value;
}

void scan_flag(const CommandSpec& spec, const std::string& word, LineState& state) {
  const std::size_t equals = word.find('=');
  std::string name = word.substr(0, equals);
  std::optional<std::string> attached;
  if (equals != std::string::npos) {
    attached = word.substr(equals + 1);
  } else if (!word.starts_with("--") && word.size() > 2) { // -nfoo, -ojson
    name = word.substr(0, 2);
    attached = word.substr(2);
  }
  const FlagSpec* flag = spec.find(name);
  if (flag == nullptr)
    return; // the command will reject it; completion goes on
  state.given.push_back(flag->long_name);
  if (attached && flag->arity != FlagArity::none)
    record_value(state, *flag, *attached);
  else if (!attached && flag->arity == FlagArity::required)
    state.pending = flag;
}

LineState scan(const CommandSpec& spec, std::span<const std::string> words) {
  LineState state;
  for (const std::string& word : words) {
    if (state.pending != nullptr) {
      record_value(state, *state.pending, word);
      state.pending = nullptr;
    } else if (state.end_of_flags || word == "-" || !word.starts_with("-")) {
      state.positional.push_back(word);
    } else if (word == "--") {
      state.end_of_flags = true;
    } else {
      scan_flag(spec, word, state);
    }
  }
  return state;
}

void add_matching(CompletionPlan& plan, const std::vector<ValueChoice>& values,
                  std::string_view prefix) {
  for (const ValueChoice& choice : values) {
    if (choice.value.starts_with(prefix))
      plan.candidates.push_back({choice.value, choice.description});
  }
}

// --kinds deployment,sta -> deployment,statefulset: the items not given yet, after those given.
void add_comma_items(CompletionPlan& plan, const std::vector<ValueChoice>& values,
                     std::string_view typed) {
  const std::size_t comma = typed.rfind(',');
  const std::string_view head = comma == std::string_view::npos ? "" : typed.substr(0, comma + 1);
  const std::string_view tail = typed.substr(head.size());
  for (const ValueChoice& choice : values) {
    const std::string item = choice.value + ",";
    const bool given = ("," + std::string(head)).find("," + item) != std::string::npos;
    if (!given && choice.value.starts_with(tail))
      plan.candidates.push_back({std::string(head) + choice.value, choice.description});
  }
  plan.directive = Directive::no_file | Directive::no_space;
}

CompletionPlan plan_value(const FlagSpec& flag, std::string_view typed, CompletionPlan plan) {
  plan.prefix = std::string(typed);
  switch (flag.source) {
  case ValueSource::none:
    break;
  case ValueSource::fixed:
    add_matching(plan, flag.values, typed);
    break;
  case ValueSource::comma_list:
    add_comma_items(plan, flag.values, typed);
    break;
  case ValueSource::namespaces:
    plan.lookup = Lookup::namespaces;
    break;
  case ValueSource::contexts:
    plan.lookup = Lookup::contexts;
    break;
  case ValueSource::revisions:
    plan.lookup = Lookup::revisions;
    break;
  case ValueSource::revisions_and_tags:
    plan.lookup = Lookup::revisions_and_tags;
    break;
  case ValueSource::files:
    plan.directive = Directive::files;
    break;
  case ValueSource::dirs:
    plan.directive = Directive::filter_dirs;
    break;
  }
  return plan;
}

// As cobra lists flags: "--long" when it matches, "-s" too; a flag given already only when it
// may be repeated.
CompletionPlan plan_flags(const CommandSpec& spec, const LineState& state, std::string_view typed,
                          CompletionPlan plan) {
  for (const FlagSpec& flag : spec.flags) {
    const bool given =
        std::find(state.given.begin(), state.given.end(), flag.long_name) != state.given.end();
    if (given && !flag.repeatable)
      continue;
    const std::string long_form = "--" + flag.long_name;
    if (long_form.starts_with(typed))
      plan.candidates.push_back({long_form, flag.description});
    const std::string short_form = {'-', flag.short_name};
    if (flag.short_name != '\0' && short_form.starts_with(typed))
      plan.candidates.push_back({short_form, flag.description});
  }
  return plan;
}

CompletionPlan plan_commands(const CompletionRequest& request, std::string_view typed,
                             CompletionPlan plan) {
  const auto& listed = request.listed_by_kubectl;
  for (const CommandInfo& command : request.commands) {
    if (command.name.starts_with(typed) &&
        std::find(listed.begin(), listed.end(), command.name) == listed.end())
      plan.candidates.push_back({std::string(command.name), std::string(command.summary)});
  }
  return plan;
}

CompletionPlan plan_positional(const CommandSpec& spec, const LineState& state,
                               const CompletionRequest& request, std::string_view typed,
                               CompletionPlan plan) {
  plan.prefix = std::string(typed);
  switch (spec.positionals) {
  case PositionalSource::none:
    break;
  case PositionalSource::namespaces:
    plan.lookup = Lookup::namespaces;
    plan.exclude = state.positional;
    break;
  case PositionalSource::relabel_target:
    if (state.positional.empty()) {
      add_matching(plan, {{"ns", "namespaces"}}, typed);
      if (!typed.empty() && typed != "n")
        add_matching(plan, {{"namespace", ""}, {"namespaces", ""}}, typed);
    } else {
      plan.lookup = Lookup::namespaces;
      plan.exclude.assign(state.positional.begin() + 1, state.positional.end());
    }
    break;
  case PositionalSource::revision:
    if (state.positional.empty())
      plan.lookup = Lookup::revisions;
    break;
  case PositionalSource::commands:
    return plan_commands(request, typed, std::move(plan));
  }
  return plan;
}

// `words` are those after the command name; the last one is completed.
CompletionPlan plan_for_spec(const CommandSpec& spec, const std::vector<std::string>& words,
                             const CompletionRequest& request) {
  const std::string& typed = words.back();
  const LineState state = scan(spec, std::span(words).first(words.size() - 1));
  CompletionPlan plan;
  plan.connection = state.connection;
  plan.kubectl = state.kubectl;
  if (state.pending != nullptr)
    return plan_value(*state.pending, typed, std::move(plan));
  if (!state.end_of_flags && typed.starts_with("-")) {
    const std::size_t equals = typed.find('=');
    if (equals == std::string::npos)
      return plan_flags(spec, state, typed, std::move(plan));
    const FlagSpec* flag = spec.find(typed.substr(0, equals));
    if (flag == nullptr || flag->arity == FlagArity::none)
      return plan;
    return plan_value(*flag, std::string_view(typed).substr(equals + 1), std::move(plan));
  }
  return plan_positional(spec, state, request, typed, std::move(plan));
}

// kubectl_complete-meshca: flags, then the command name, then the command's words. Flags before
// the command name reach the command (the dispatcher forwards them), so they count there too.
CompletionPlan plan_for_dispatcher(const CompletionRequest& request) {
  const CommandSpec spec = dispatcher_spec();
  const std::vector<std::string>& words = request.words;
  std::vector<std::string> leading;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& word = words[i];
    if (word.starts_with("-")) {
      leading.push_back(word);
      const FlagSpec* flag = spec.find(word.substr(0, word.find('=')));
      const bool takes_next = flag != nullptr && flag->arity == FlagArity::required &&
                              word.find('=') == std::string::npos;
      if (takes_next && i + 2 < words.size())
        leading.push_back(words[++i]);
      else if (takes_next)
        break; // the completed word is this flag's value
      continue;
    }
    if (word == "help") { // `help COMMAND`
      CompletionRequest all_commands_request{std::nullopt, {}, {}, request.commands};
      return i + 2 == words.size() ? plan_commands(all_commands_request, words.back(), {})
                                   : CompletionPlan{};
    }
    const std::optional<CommandInfo> command = find_command(request.commands, word);
    if (!command)
      return CompletionPlan{}; // an unknown command: nothing to offer
    leading.insert(leading.end(), words.begin() + static_cast<std::ptrdiff_t>(i) + 1, words.end());
    return plan_for_spec(command_spec(*command), leading, request);
  }
  return plan_for_spec(spec, words, request);
}

std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return text;
}

} // namespace

CompletionPlan plan_completion(const CompletionRequest& request) {
  CompletionRequest normalized = request;
  if (normalized.words.empty())
    normalized.words.emplace_back(); // called with nothing typed: complete a new word
  if (!normalized.command)
    return plan_for_dispatcher(normalized);
  return plan_for_spec(command_spec(*normalized.command), normalized.words, normalized);
}

Result<std::optional<CommandInfo>> completion_command_for(std::string_view executable_name,
                                                          CommandTable commands) {
  if (executable_name == kDispatcherCompleter)
    return std::optional<CommandInfo>();
  std::string expected(kDispatcherCompleter);
  for (const CommandInfo& command : commands) {
    const std::string name = completion_executable(command);
    if (executable_name == name)
      return std::optional<CommandInfo>(command);
    expected += ", " + name;
  }
  return bad_input("completion executable run as \"" + std::string(executable_name) +
                   "\"; its name must be one of " + expected +
                   " (kubectl picks the completer by name)");
}

std::string completion_executable(const CommandInfo& command) {
  std::string_view suffix = command.executable;
  if (suffix.starts_with(kExecutablePrefix))
    suffix.remove_prefix(kExecutablePrefix.size());
  return std::string(kDispatcherCompleter) + "-" + std::string(suffix);
}

std::string render_completion(const Completion& completion) {
  std::string out;
  for (const Candidate& candidate : completion.candidates) {
    out += one_line(candidate.value);
    if (!candidate.description.empty())
      out += "\t" + one_line(candidate.description);
    out += "\n";
  }
  out += ":" + std::to_string(static_cast<unsigned>(completion.directive)) + "\n";
  return out;
}

} // namespace meshca
