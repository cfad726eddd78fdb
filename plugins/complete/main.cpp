// kubectl_complete-meshca and its links kubectl_complete-meshca-<command>: kubectl's plugin
// completion runs the one named after the plugin being completed, with the words typed after its
// name; the name says which command's words they are.

#include "meshca/commands/completer.h"

int main(int argc, char** argv) {
  return meshca::run_completer(argc, argv);
}
