#pragma once
// Replacing the current process with another program (the dispatcher hands the terminal, stdin and
// signals to the command it runs). Spawning children with captured output lives in process.h.

#include "meshca/util/result.h"

#include <string>
#include <vector>

namespace meshca {

// The resolved absolute path of the running executable (symlinks followed, as krew's link into its
// store must be), or an error when /proc/self/exe cannot be read.
Result<std::string> own_executable_path();

// execv(program, argv): argv[0] is set to `program`. Returns only on failure, with the reason.
Error replace_process(const std::string& program, const std::vector<std::string>& args);

} // namespace meshca
