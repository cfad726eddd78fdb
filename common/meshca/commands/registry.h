#pragma once
// The suite's commands, one row each: the one list the dispatcher (kubectl-meshca), completion
// (kubectl_complete-meshca*), the help listing and the argv fuzzer read. Adding a command is a
// folder under commands/, a row here and a plugins/<command>/main.cpp
// (docs/adding-a-command.md).

#include "meshca/cli/command_table.h"

namespace meshca {

CommandTable command_registry();

} // namespace meshca
