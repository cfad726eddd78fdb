#pragma once
// kubectl_complete-meshca and its links kubectl_complete-meshca-<command>: kubectl's plugin
// completion runs the one named after the plugin being completed, with the words typed after its
// name; the name (argv[0]) says which command's words they are.

namespace meshca {

int run_completer(int argc, char** argv);

} // namespace meshca
