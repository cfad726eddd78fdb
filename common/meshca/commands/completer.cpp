#include "meshca/commands/completer.h"

#include "meshca/cli/completion.h"
#include "meshca/cli/completion_cluster.h"
#include "meshca/commands/registry.h"

#include <iostream>
#include <string_view>
#include <vector>

namespace meshca {

int run_completer(int argc, char** argv) {
  std::string_view name = argc > 0 ? argv[0] : "";
  if (const std::size_t slash = name.rfind('/'); slash != std::string_view::npos)
    name.remove_prefix(slash + 1);
  auto command = completion_command_for(name, command_registry());
  if (!command) {
    std::cerr << "kubectl meshca completion: error: " << command.error().message << "\n";
    return to_int(command.error().status);
  }
  CompletionRequest request;
  request.command = *command;
  request.commands = command_registry();
  request.words.assign(argv + 1, argv + argc);
  if (!request.command)
    request.listed_by_kubectl = commands_on_path(request.commands);
  const CompletionPlan plan = plan_completion(request);
  std::cout << render_completion(complete_with_cluster(plan)) << std::flush;
  return 0;
}

} // namespace meshca
