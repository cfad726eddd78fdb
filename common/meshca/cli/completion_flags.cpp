#include "meshca/cli/completion_flags.h"

#include "meshca/cli/common_options.h"

#include <boost/program_options/cmdline.hpp>
#include <boost/program_options/options_description.hpp>

namespace meshca {
namespace po = boost::program_options;
namespace {

std::vector<ValueChoice> split_formats(std::string_view formats) {
  std::vector<ValueChoice> values;
  while (!formats.empty()) {
    const std::size_t comma = formats.find(',');
    std::string_view item = formats.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    if (!item.empty())
      values.push_back({std::string(item), ""});
    formats = comma == std::string_view::npos ? std::string_view() : formats.substr(comma + 1);
  }
  return values;
}

// What completes the value of the flag with this long name: flags mean the same in every
// command. `formats` are the command's -o formats.
void set_value_source(FlagSpec& flag, std::string_view formats) {
  using V = ValueSource;
  const std::string& n = flag.long_name;
  if (n == "namespace") {
    flag.source = V::namespaces;
  } else if (n == "context") {
    flag.source = V::contexts;
  } else if (n == "revision") {
    flag.source = V::revisions_and_tags;
  } else if (n == "kubeconfig" || n == "kubectl" || n == "config-dump" || n == "meshca-bundle") {
    flag.source = V::files;
  } else if (n == "backup-dir" || n == "restore") {
    flag.source = V::dirs;
  } else if (n == "output") {
    flag.source = V::fixed;
    flag.values = split_formats(formats);
  } else if (n == "dry-run") {
    flag.source = V::fixed;
    flag.values = {{"none", "change the cluster"},
                   {"client", "print what would change, send nothing"}};
    // Offered where the command's help offers it (migrate decides each step on what the
    // previous one changed, so it has no server dry run).
    if (flag.description.find("server") != std::string::npos)
      flag.values.push_back({"server", "send the changes with dryRun"});
  } else if (n == "transport") {
    flag.source = V::fixed;
    flag.values = {{"auto", "proxy, else exec"},
                   {"proxy", "one kubectl proxy, HTTP and WebSocket in process"},
                   {"exec", "one kubectl exec per pod"}};
  } else if (n == "require") {
    flag.source = V::fixed;
    flag.values = {{"CITADEL", ""}, {"MESHCA", ""}, {"CITADEL,MESHCA", ""}};
  } else if (n == "forbid") {
    flag.source = V::fixed;
    flag.values = {{"CITADEL", ""}, {"MESHCA", ""}};
  } else if (n == "kinds") {
    flag.source = V::comma_list;
    flag.values = {{"deployment", ""}, {"statefulset", ""}, {"daemonset", ""}};
  }
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

FlagSpec to_flag_spec(const po::option_description& option, std::string_view formats) {
  FlagSpec flag;
  flag.long_name = option.long_name();
  // With a short name this gives "-n"; without one, the long name without dashes.
  const std::string short_form =
      option.canonical_display_name(po::command_line_style::allow_dash_for_short);
  if (short_form.size() == 2 && short_form[0] == '-')
    flag.short_name = short_form[1];
  flag.description = first_line(option.description());
  const auto& semantic = *option.semantic();
  if (semantic.max_tokens() == 0)
    flag.arity = FlagArity::none;
  else
    flag.arity = semantic.min_tokens() == 0 ? FlagArity::optional : FlagArity::required;
  flag.repeatable = semantic.is_composing();
  if (flag.arity != FlagArity::none)
    set_value_source(flag, formats);
  return flag;
}

void append_flags(std::vector<FlagSpec>& flags, const po::options_description& description,
                  std::string_view formats) {
  for (const auto& option : description.options()) {
    bool known = false;
    for (const FlagSpec& flag : flags)
      known = known || flag.long_name == option->long_name();
    if (!known)
      flags.push_back(to_flag_spec(*option, formats));
  }
}

} // namespace

const FlagSpec* CommandSpec::find(std::string_view flag_name) const {
  if (flag_name.starts_with("--"))
    flag_name.remove_prefix(2);
  else if (flag_name.starts_with("-"))
    flag_name.remove_prefix(1);
  for (const FlagSpec& flag : flags) {
    if (flag.long_name == flag_name || (flag_name.size() == 1 && flag.short_name == flag_name[0]))
      return &flag;
  }
  return nullptr;
}

CommandSpec command_spec(const CommandInfo& command) {
  CommandSpec spec;
  spec.name = std::string(command.name);
  if (command.own_flags != nullptr)
    append_flags(spec.flags, command.own_flags(), command.common.output_formats);
  append_flags(spec.flags, common_flags_description(command.common), command.common.output_formats);
  spec.positionals = command.positionals;
  return spec;
}

CommandSpec dispatcher_spec() {
  CommandSpec spec;
  const CommonFlagSet every{};
  append_flags(spec.flags, common_flags_description(every), every.output_formats);
  spec.positionals = PositionalSource::commands;
  return spec;
}

} // namespace meshca
