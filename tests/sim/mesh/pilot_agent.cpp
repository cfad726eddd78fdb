#include "mesh/pilot_agent.h"

#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

namespace sim::mesh {

namespace {

ExecResult agent_error(const std::string& message) {
  // pilot-agent logs the error and exits with os.Exit(-1).
  return {"", "Error: " + message + "\n", 255};
}

// request.go's allow-list; anything else is refused before any request is made.
std::optional<ExecResult> set_port(const std::string& value, int& port) {
  static const std::set<int> allowed = {15000, 15004, 15020, 15021};
  try {
    std::size_t used = 0;
    port = std::stoi(value, &used);
    if (used != value.size())
      throw std::invalid_argument(value);
  } catch (const std::exception&) {
    return agent_error("invalid argument \"" + value +
                       "\" for \"--debug-port\" flag: strconv.ParseInt: parsing \"" + value +
                       "\": invalid syntax");
  }
  if (!allowed.count(port))
    return agent_error("debug port " + value + " is not in allowed list [15000 15004 15020 15021]");
  return std::nullopt;
}

ExecResult request(const std::vector<std::string>& args, const AdminApi& admin) {
  std::vector<std::string> positional;
  int port = 15000;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--debug-port" || arg == "--log_output_level") {
      ++i;
      if (arg == "--debug-port" && i < args.size())
        if (auto error = set_port(args[i], port))
          return *error;
      continue;
    }
    if (arg.rfind("--debug-port=", 0) == 0) {
      if (auto error = set_port(arg.substr(13), port))
        return *error;
      continue;
    }
    if (arg.rfind("--log_output_level=", 0) == 0)
      continue;
    if (arg.rfind("--", 0) == 0)
      return agent_error("unknown flag: " + arg);
    positional.push_back(arg);
  }
  if (positional.size() < 2 || positional.size() > 3)
    return agent_error("accepts between 2 and 3 arg(s), received " +
                       std::to_string(positional.size()));
  std::string path = positional[1];
  if (!path.empty() && path.front() == '/')
    path.erase(0, 1);
  AdminCall call{positional[0], path, "", port};
  if (auto q = path.find('?'); q != std::string::npos) {
    call.query = path.substr(q + 1);
    call.path = path.substr(0, q);
  }
  auto [status, body] = admin(call);
  if (status > 399 && status != 404) {
    return {"",
            "error\treceived unsuccessful status code " + std::to_string(status) + "\n" +
                "Error: received unsuccessful status code " + std::to_string(status) + "\n",
            255};
  }
  body += '\n'; // pilot-agent prints the body with Println
  return {std::move(body), "", 0};
}

} // namespace

ExecResult not_found_in_image(const std::string& binary) {
  return {"",
          "OCI runtime exec failed: exec failed: unable to start container process: exec: \"" +
              binary + "\": executable file not found in $PATH: unknown\n",
          127};
}

ExecResult run_in_proxy(const std::vector<std::string>& command, const std::string& istio_version,
                        const AdminApi& admin) {
  if (command.empty())
    return {"", "error: you must specify at least one command for the container\n", 1};
  const std::string& binary = command[0];
  if (binary != "pilot-agent" && binary != "/usr/local/bin/pilot-agent")
    return not_found_in_image(binary);
  std::vector<std::string> args(command.begin() + 1, command.end());
  if (args.empty())
    return {"Istio Pilot agent runs in the sidecar or gateway container and bootstraps Envoy.\n",
            "", 0};
  if (args[0] == "request")
    return request({args.begin() + 1, args.end()}, admin);
  if (args[0] == "version")
    return {"client version: " + istio_version + "\n", "", 0};
  return agent_error("unknown command \"" + args[0] +
                     "\" for \"pilot-agent\"\nRun 'pilot-agent --help' for usage.");
}

} // namespace sim::mesh
