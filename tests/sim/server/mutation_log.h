#pragma once
// The mutation log: one JSON line per client request that changes (or, with dryRun, would
// change) the cluster. Format of a line:
//   {"time":"2025-01-01T00:00:00Z","seq":1,"verb":"patch","resource":"namespaces",
//    "subresource":"","namespace":"","name":"foo","patchType":"merge","dryRun":false,
//    "code":200,"body":{...}}
// body is the request body as JSON when it parses and is at most 4 KiB (protobuf bodies are
// logged decoded), else a string cut to 512 characters; secrets' data values are redacted.

#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>

namespace sim {

struct MutationRecord {
  std::string verb, resource, subresource, ns, name, patch_type;
  std::string body; // JSON text when the request had a JSON (or decoded) body
  bool dry_run = false;
  int code = 0;
};

class MutationLog {
 public:
  // `path` empty: keep the log in memory only.
  explicit MutationLog(const std::string& path);
  void append(const MutationRecord& record);
  std::string contents() const; // all lines so far, each ending in '\n'
  void clear();                 // the in-memory copy (the file keeps everything)

 private:
  mutable std::mutex mu_;
  std::ofstream file_;
  std::string lines_;
  std::uint64_t seq_ = 0;
};

} // namespace sim
