#pragma once
// The flags every plugin takes, and the one command-line parser all plugins share. Parsing is
// pure (no I/O, no environment), so it is tested with argv tables.

#include "meshca/cli/help_printer.h"
#include "meshca/kube/connection_flags.h"
#include "meshca/util/result.h"

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/value_semantic.hpp>
#include <boost/program_options/variables_map.hpp>
#include <cstddef>
#include <iosfwd>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// GCC 12 at -O2 reports a false -Wnull-dereference inside typed_value<std::string>::notify in every
// file that instantiates it; it is instantiated once, in common_options.cpp, instead.
extern template class boost::program_options::typed_value<std::string>;

namespace meshca {

struct CommonOptions {
  // Connection flags, passed through to kubectl.
  std::optional<std::string> kubeconfig;
  std::vector<std::string> contexts; // --context, repeatable: one cluster each
  std::optional<std::string> cluster;
  std::optional<std::string> user;
  std::optional<std::string> request_timeout;
  std::optional<std::string> kubectl; // --kubectl PATH

  bool verbose = false; // -v: echo each kubectl call to stderr
  bool help = false;
  bool version = false;

  // Scope and output, for commands that take them (see CommonFlagSet).
  std::optional<std::string> namespace_name; // -n/--namespace
  bool all_namespaces = false;               // -A/--all-namespaces
  std::string output;                        // -o/--output as given; "" = the default

  // The connection flags for each --context given (in order), or one set without a context.
  std::vector<ConnectionFlags> connections() const;
  // The connection flags for the first (or no) context.
  ConnectionFlags connection() const;
};

// Which of the optional common groups a command takes. Connection flags, -v, -h, --version and
// --kubectl are always taken.
struct CommonFlagSet {
  bool namespaces = true;                                     // -n/--namespace, -A/--all-namespaces
  bool output = true;                                         // -o/--output
  std::string_view output_formats = "text, wide, json, yaml"; // listed in the -o help line
};

// How many positional arguments a command takes, and what they are called in messages.
struct PositionalSpec {
  std::string name = "ARG"; // "NAMESPACE"
  std::size_t min = 0;
  std::size_t max = 0; // kUnlimited for "NAMESPACE..."
  static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();
};

struct ParsedArgs {
  CommonOptions common;
  boost::program_options::variables_map specific; // the command's own flags (already notified)
  std::vector<std::string> positional;

  // True when the command's own flag `name` (long name) was given on the command line.
  bool given(const std::string& name) const;
};

// Adds the common flags, bound to `options`, to `description` (for help output and parsing):
// -n/-A and -o when `flags` asks for them, then the global flags.
void add_common_options(boost::program_options::options_description& description,
                        CommonOptions& options, CommonFlagSet flags = {});

// The common flags a command with `flags` takes (-n/-A and -o as `flags` says, then the global
// flags), for listing them (shell completion). The values are bound to a private sink: never
// parse or notify with the result.
boost::program_options::options_description common_flags_description(CommonFlagSet flags = {});

// Parses argv[1..argc) for `kubectl meshca <command_name>`. `specific` holds the command's own
// flags (values bound with po::value<T>(&field) are stored on success). -h/--help and --version
// skip the positional count check, so help works with any other arguments.
// Errors are bad_input and end with "See 'kubectl meshca NAME --help' for usage.", e.g.
// "unknown flag --namspace; did you mean --namespace?".
Result<ParsedArgs> parse_command_line(std::string_view command_name, int argc,
                                      const char* const* argv,
                                      const boost::program_options::options_description& specific,
                                      const PositionalSpec& positional = {},
                                      CommonFlagSet flags = {});

// The same for an argument vector without argv[0].
Result<ParsedArgs> parse_command_line(std::string_view command_name,
                                      const std::vector<std::string>& args,
                                      const boost::program_options::options_description& specific,
                                      const PositionalSpec& positional = {},
                                      CommonFlagSet flags = {});

// The command's --help: its own flags and -n/-A/-o (as `flags` says) under "Options:", the
// connection flags, --kubectl, -v, -h and --version under "Global options:".
void print_command_help(std::ostream& out, const HelpText& help,
                        const boost::program_options::options_description& specific,
                        CommonFlagSet flags = {});

// Prints `kubectl meshca NAME: error: MESSAGE` to `out` (stderr by default) and returns the
// exit code of the error's status.
int report_error(std::string_view command_name, const Error& error);
int report_error(std::ostream& out, std::string_view command_name, const Error& error);

} // namespace meshca
