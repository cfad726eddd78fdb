#pragma once
// relabel's command line: flags into RelabelOptions. Pure (stdin is read by expand_stdin_names);
// tested as an argv table.

#include "meshca/cli/common_options.h"
#include "meshca/commands/relabel/relabel.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct RelabelCommand {
  CommonOptions common;
  RelabelOptions options;
  bool names_from_stdin = false; // `-` was given: read_namespace_names(stdin) adds to namespaces
  std::optional<std::string> meshca_bundle; // --meshca-bundle, for the trust gate
};

// `relabel ns NAMESPACE... (--revision REV | --injection-enabled | --undo) [--all | -l SELECTOR]
// [--dry-run[=client|server]] [--force] [-o text|name|json]`. Errors are bad_input naming the
// flag or argument and the fix; REV must be a DNS-1035 label.
Result<RelabelCommand> parse_relabel(const std::vector<std::string>& args);

// Adds the names read from `in` when `-` was given; a bad line, or `-` giving no name and nothing
// else selected, is bad_input.
Status expand_stdin_names(RelabelCommand& command, std::istream& in);

void print_relabel_help(std::ostream& out);

// relabel's own flags (not the common ones), for listing (shell completion); the values are
// bound to a private sink: never parse with it.
boost::program_options::options_description relabel_flags();

} // namespace meshca
