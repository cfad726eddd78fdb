// kubectl_complete-meshca and its links kubectl_complete-meshca-<command>: kubectl's plugin
// completion runs the one named after the plugin being completed, with the words typed after its
// name; the name says which command's words they are.

#include "meshca/cli/completion.h"
#include "meshca/cli/completion_cluster.h"

#include <iostream>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
  std::string_view name = argc > 0 ? argv[0] : "";
  if (const std::size_t slash = name.rfind('/'); slash != std::string_view::npos)
    name.remove_prefix(slash + 1);
  auto command = meshca::completion_command_for(name);
  if (!command) {
    std::cerr << "kubectl meshca completion: error: " << command.error().message << "\n";
    return meshca::to_int(command.error().status);
  }
  meshca::CompletionRequest request;
  request.command = *command;
  request.words.assign(argv + 1, argv + argc);
  if (!request.command)
    request.listed_by_kubectl = meshca::commands_on_path();
  const meshca::CompletionPlan plan = meshca::plan_completion(request);
  std::cout << meshca::render_completion(meshca::complete_with_cluster(plan)) << std::flush;
  return 0;
}
