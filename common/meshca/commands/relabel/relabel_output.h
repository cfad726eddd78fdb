#pragma once
// relabel's output: text (old -> new labels per namespace), name (`namespace/NAME` for a pipe)
// and json (field names documented in docs/relabel.md). Pure.

#include "meshca/commands/relabel/relabel.h"

#include <string>

namespace meshca {

// stdout for the report in `format` (text, name or json). In a dry run the text adds, under each
// change, the kubectl command that would make it. Namespaces whose patch failed appear only in
// json (their error is printed on stderr).
std::string render_relabel(const RelabelReport& report, OutputFormat format);

// The stderr hint after a text report that changed something (not in a dry run):
// "Next: kubectl meshca rollout bookinfo shop\n"; empty otherwise.
std::string render_relabel_next_step(const RelabelReport& report);

} // namespace meshca
