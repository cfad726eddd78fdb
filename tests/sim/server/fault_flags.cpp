#include "server/fault_flags.h"

#include "server/json_util.h"

#include <cstdlib>

namespace sim {
namespace {

std::vector<std::string> split(const std::string& text, char separator, std::size_t max_parts) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (parts.size() + 1 < max_parts) {
    auto pos = text.find(separator, start);
    if (pos == std::string::npos)
      break;
    parts.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

bool is_number(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

std::string bad(const char* flag, const std::string& value, const char* form) {
  return std::string("--") + flag + " " + quote(value) + ": expected " + form;
}

} // namespace

FaultDocument fault_flags_to_json(const FaultFlags& flags) {
  std::string api_errors, drops, slow, exec_errors, exec_hang, stuck;
  auto append = [](std::string& list, const std::string& item) {
    list += (list.empty() ? "" : ",") + item;
  };
  for (const auto& value : flags.api_errors) {
    auto p = split(value, ':', 4);
    if (p.size() < 3 || !is_number(p[2]) || (p.size() == 4 && !is_number(p[3])))
      return FaultDocument{{}, bad("fault-api-error", value, "VERB:RESOURCE:STATUS[:COUNT]")};
    append(api_errors, "{\"verb\":" + quote(p[0]) + ",\"resource\":" + quote(p[1]) +
                           ",\"status\":" + p[2] + ",\"count\":" + (p.size() == 4 ? p[3] : "0") +
                           "}");
  }
  for (const auto& value : flags.drops) {
    auto p = split(value, ':', 3);
    if (p.size() < 2 || (p.size() == 3 && !is_number(p[2])))
      return FaultDocument{{}, bad("fault-drop", value, "VERB:RESOURCE[:COUNT]")};
    append(drops, "{\"verb\":" + quote(p[0]) + ",\"resource\":" + quote(p[1]) +
                      ",\"count\":" + (p.size() == 3 ? p[2] : "0") + "}");
  }
  for (const auto& value : flags.slow) {
    auto p = split(value, ':', 3);
    if (p.size() != 3 || !is_number(p[2]))
      return FaultDocument{{}, bad("fault-slow", value, "VERB:RESOURCE:MS")};
    append(slow,
           "{\"verb\":" + quote(p[0]) + ",\"resource\":" + quote(p[1]) + ",\"ms\":" + p[2] + "}");
  }
  for (const auto& value : flags.exec_errors) {
    auto p = split(value, ':', 3);
    if (p.size() < 2 || p[0].empty() || !is_number(p[1]))
      return FaultDocument{{}, bad("exec-error", value, "NS/POD:EXIT_CODE[:STDERR]")};
    append(exec_errors, "{\"pod\":" + quote(p[0]) + ",\"exit_code\":" + p[1] +
                            ",\"stderr\":" + quote(p.size() == 3 ? p[2] + "\n" : "") + "}");
  }
  for (const auto& value : flags.exec_hang) {
    if (value.empty())
      return FaultDocument{{}, bad("exec-hang", value, "NS/POD")};
    append(exec_hang, quote(value));
  }
  for (const auto& value : flags.stuck_rollouts) {
    auto slash = value.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == value.size())
      return FaultDocument{{}, bad("stuck-rollout", value, "NS/NAME")};
    append(stuck, "{\"namespace\":" + quote(value.substr(0, slash)) +
                      ",\"name\":" + quote(value.substr(slash + 1)) + ",\"stuck\":true}");
  }
  return FaultDocument{
      "{\"exec_latency_ms\":" + std::to_string(flags.exec_latency_ms) + ",\"api_errors\":[" +
          api_errors + "],\"drops\":[" + drops + "],\"slow\":[" + slow + "],\"exec_errors\":[" +
          exec_errors + "],\"exec_hang\":[" + exec_hang + "],\"stuck_rollouts\":[" + stuck + "]}",
      {}};
}

} // namespace sim
