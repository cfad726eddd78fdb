#pragma once
// kubectl-meshca, the dispatcher: prints help (the registry's commands) and version, and runs the
// command's executable from its own folder (krew links only this one binary) or, failing that,
// from PATH, with the flags given before the command name forwarded.

namespace meshca {

int run_dispatcher(int argc, char** argv);

} // namespace meshca
