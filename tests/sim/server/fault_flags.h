#pragma once
// The fault command-line flags, turned into the JSON document Faults::apply_json takes, so
// flags and POST /simctl/faults share one code path.

#include <optional>
#include <string>
#include <vector>

namespace sim {

struct FaultFlags {
  int exec_latency_ms = 0;
  std::vector<std::string> api_errors;     // VERB:RESOURCE:STATUS[:COUNT]
  std::vector<std::string> drops;          // VERB:RESOURCE[:COUNT]
  std::vector<std::string> slow;           // VERB:RESOURCE:MS
  std::vector<std::string> exec_errors;    // NS/POD:EXIT_CODE[:STDERR]
  std::vector<std::string> exec_hang;      // NS/POD
  std::vector<std::string> stuck_rollouts; // NS/NAME
};

struct FaultDocument {
  std::string json;  // the document (valid when error is empty)
  std::string error; // names the flag and the malformed value
};
FaultDocument fault_flags_to_json(const FaultFlags& flags);

} // namespace sim
