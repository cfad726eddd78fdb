// The pragma must come before every include: the false warning (see common_options.h) is
// reported at a line of <string>, so it has to be off where that header is read.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include "meshca/cli/common_options.h"

#include "meshca/util/edit_distance.h"

#include <boost/program_options/parsers.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/value_semantic.hpp>
#include <iostream>
#pragma GCC diagnostic pop

template class boost::program_options::typed_value<std::string>;

namespace meshca {

namespace po = boost::program_options;

namespace {

constexpr const char* kPositionalKey = "meshca-positional-arguments";

// Binds a string flag to an optional: set only when the flag is given.
po::typed_value<std::string>* optional_string(std::optional<std::string>& target,
                                              const char* value_name) {
  return po::value<std::string>()
      ->value_name(value_name)
      ->notifier([&target](const std::string& value) { target = value; });
}

void add_global_options(po::options_description& d, CommonOptions& o) {
  // clang-format off
  d.add_options()
    ("kubeconfig", optional_string(o.kubeconfig, "PATH"),
     "Path to the kubeconfig file for kubectl")
    ("context", po::value(&o.contexts)->composing()->value_name("NAME"),
     "kubeconfig context to use; repeat for several clusters")
    ("cluster", optional_string(o.cluster, "NAME"), "kubeconfig cluster to use")
    ("user", optional_string(o.user, "NAME"), "kubeconfig user to use")
    ("request-timeout", optional_string(o.request_timeout, "DURATION"),
     "How long kubectl waits for a single server request (e.g. 30s)")
    ("kubectl", optional_string(o.kubectl, "PATH"),
     "The kubectl to run (default: $KUBECTL, else kubectl on PATH)")
    ("verbose,v", po::bool_switch(&o.verbose), "Print each kubectl call to stderr")
    ("help,h", po::bool_switch(&o.help), "Show this help")
    ("version", po::bool_switch(&o.version), "Show the version");
  // clang-format on
}

// -n/-A and -o, as the command takes them.
void add_scope_options(po::options_description& d, CommonOptions& o, CommonFlagSet flags) {
  if (flags.namespaces) {
    // clang-format off
    d.add_options()
      ("namespace,n", optional_string(o.namespace_name, "NAME"), "The namespace to use")
      ("all-namespaces,A", po::bool_switch(&o.all_namespaces), "Act on every namespace");
    // clang-format on
  }
  if (flags.output) {
    const std::string help = "Output format: " + std::string(flags.output_formats);
    d.add_options()("output,o", po::value(&o.output)->value_name("FORMAT"), help.c_str());
  }
}

// "--namspace=x" -> "--namspace"; the suggestion compares flag names only.
std::string flag_name(std::string token) {
  const std::size_t equals = token.find('=');
  if (equals != std::string::npos)
    token.erase(equals);
  return token;
}

std::vector<std::string> long_flag_names(const po::options_description& description) {
  std::vector<std::string> names;
  for (const auto& option : description.options()) {
    if (!option->long_name().empty() && option->long_name() != kPositionalKey)
      names.push_back("--" + option->long_name());
  }
  return names;
}

std::string see_help(std::string_view command_name) {
  return "\nSee 'kubectl meshca " + std::string(command_name) + " --help' for usage.";
}

std::string unknown_flag_message(const po::unknown_option& e, const po::options_description& all) {
  const std::string flag = flag_name(e.get_option_name());
  std::string message = "unknown flag " + flag;
  if (flag.starts_with("--")) {
    if (auto suggestion = closest_match(flag, long_flag_names(all)))
      message += "; did you mean " + *suggestion + "?";
  }
  return message;
}

// "2 NAME arguments"
std::string arguments(std::size_t count, const std::string& name) {
  return std::to_string(count) + " " + name + " argument" + (count == 1 ? "" : "s");
}

// The positional count check, as a message or nullopt.
std::optional<std::string> check_positional(const std::vector<std::string>& values,
                                            const PositionalSpec& spec) {
  if (values.size() > spec.max) {
    if (spec.max == 0)
      return "unexpected argument \"" + values.front() + "\"";
    return "too many arguments: expected at most " + arguments(spec.max, spec.name) + ", got " +
           std::to_string(values.size());
  }
  if (values.size() < spec.min) {
    if (spec.min == 1)
      return "missing " + spec.name + " argument";
    return "expected at least " + arguments(spec.min, spec.name) + ", got " +
           std::to_string(values.size());
  }
  return std::nullopt;
}

// A bare --dry-run means client and never takes the next argument as its value, as in kubectl
// (`prune-revision --dry-run asm-1` names the revision asm-1); Boost's implicit_value would take
// it.
std::vector<std::string> bare_dry_run_is_client(std::vector<std::string> args) {
  for (std::string& arg : args) {
    if (arg == "--")
      break;
    if (arg == "--dry-run")
      arg = "--dry-run=client";
  }
  return args;
}

} // namespace

std::vector<ConnectionFlags> CommonOptions::connections() const {
  ConnectionFlags base;
  base.kubeconfig = kubeconfig;
  base.cluster = cluster;
  base.user = user;
  base.request_timeout = request_timeout;
  if (contexts.empty())
    return {base};
  std::vector<ConnectionFlags> all;
  for (const auto& context : contexts) {
    all.push_back(base);
    all.back().context = context;
  }
  return all;
}

ConnectionFlags CommonOptions::connection() const {
  return connections().front();
}

bool ParsedArgs::given(const std::string& name) const {
  const auto it = specific.find(name);
  return it != specific.end() && !it->second.defaulted();
}

void add_common_options(po::options_description& description, CommonOptions& options,
                        CommonFlagSet flags) {
  add_scope_options(description, options, flags);
  add_global_options(description, options);
}

po::options_description common_flags_description(CommonFlagSet flags) {
  static CommonOptions sink; // never read: the description is for listing only
  po::options_description description;
  add_common_options(description, sink, flags);
  return description;
}

Result<ParsedArgs> parse_command_line(std::string_view command_name,
                                      const std::vector<std::string>& args,
                                      const po::options_description& specific,
                                      const PositionalSpec& positional, CommonFlagSet flags) {
  ParsedArgs parsed;
  po::options_description all;
  all.add(specific);
  po::options_description common;
  add_common_options(common, parsed.common, flags);
  all.add(common);
  all.add_options()(kPositionalKey, po::value(&parsed.positional), "");
  po::positional_options_description positional_order;
  positional_order.add(kPositionalKey, -1);

  // Abbreviations (--name for --namespace) are off: kubectl does not accept them either.
  const int style = po::command_line_style::unix_style & ~po::command_line_style::allow_guessing;
  try {
    po::store(po::command_line_parser(bare_dry_run_is_client(args))
                  .options(all)
                  .positional(positional_order)
                  .style(style)
                  .run(),
              parsed.specific);
    po::notify(parsed.specific);
  } catch (const po::unknown_option& e) {
    return bad_input(unknown_flag_message(e, all) + see_help(command_name));
  } catch (const po::error& e) {
    return bad_input(std::string(e.what()) + see_help(command_name));
  }
  if (parsed.common.help || parsed.common.version)
    return parsed;
  if (parsed.common.request_timeout && !parse_request_timeout(*parsed.common.request_timeout))
    return bad_input("--request-timeout \"" + *parsed.common.request_timeout +
                     "\": expected a duration such as 30s, 2m or 1h, or a number of seconds "
                     "(0 means no timeout)" +
                     see_help(command_name));
  if (auto problem = check_positional(parsed.positional, positional))
    return bad_input(*problem + see_help(command_name));
  return parsed;
}

Result<ParsedArgs> parse_command_line(std::string_view command_name, int argc,
                                      const char* const* argv,
                                      const po::options_description& specific,
                                      const PositionalSpec& positional, CommonFlagSet flags) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i)
    args.emplace_back(argv[i]); // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
  return parse_command_line(command_name, args, specific, positional, flags);
}

void print_command_help(std::ostream& out, const HelpText& help,
                        const po::options_description& specific, CommonFlagSet flags) {
  CommonOptions unused;
  po::options_description options;
  options.add(specific);
  po::options_description scope;
  add_scope_options(scope, unused, flags);
  options.add(scope);
  po::options_description global;
  add_global_options(global, unused);
  print_help(out, help, options, global);
}

int report_error(std::ostream& out, std::string_view command_name, const Error& error) {
  out << "kubectl meshca" << (command_name.empty() ? "" : " ") << command_name
      << ": error: " << error.message << '\n'
      << std::flush;
  return to_int(error.status);
}

int report_error(std::string_view command_name, const Error& error) {
  return report_error(std::cerr, command_name, error);
}

} // namespace meshca
