#include "server/json_util.h"
#include "server/standalone.h"

#include <cstdlib>

namespace sim {

ExecResult standalone_exec(const Store& store, const ExecRequest& request) {
  const auto& command = request.command;
  const std::string& program = command.front();
  if (program == "echo") {
    std::string out;
    for (std::size_t i = 1; i < command.size(); ++i)
      out += (i > 1 ? " " : "") + command[i];
    return {out + "\n", "", 0};
  }
  if (program == "exit" && command.size() == 2) {
    int code = std::atoi(command[1].c_str());
    return {"", code ? "exit " + command[1] + "\n" : "", code};
  }
  if (program == "bytes" && command.size() == 2)
    return {std::string(std::strtoul(command[1].c_str(), nullptr, 10), 'x'), "", 0};
  if (program == "pilot-agent" && command.size() >= 4 && command[1] == "request") {
    auto pod = store.get("pods", request.ns, request.pod);
    if (!pod)
      return {"", "pod is gone\n", 1};
    auto doc = parse_json(*pod);
    std::string dump;
    if (const auto* annotations = find_path(*doc, "metadata.annotations"))
      dump = string_member(*annotations, "sim.meshca.io/config-dump");
    return {dump.empty() ? R"({"configs":[]})" : dump, "", 0};
  }
  return {"", "sh: " + program + ": not found\n", 127};
}

} // namespace sim
