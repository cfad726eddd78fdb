#pragma once
// Finding the executable that serves a command: next to the running dispatcher first (krew links
// only kubectl-meshca, pointing into its store where the siblings live), then on PATH.

#include "meshca/cli/command_table.h"
#include "meshca/util/exec_replace.h"
#include "meshca/util/result.h"

#include <string>

namespace meshca {

// The absolute path of the command's executable, or bad_input naming where it was looked for.
Result<std::string> locate_sibling(const CommandInfo& command);

} // namespace meshca
