#pragma once
// A traffic snapshot: every sidecar's counters at one moment, what `traffic --save` writes and
// `--since` compares against. Versioned JSON, written 0600 (pod and service names can be
// sensitive), replaced atomically.

#include "meshca/mesh/proxy_traffic.h"
#include "meshca/util/result.h"

#include <chrono>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

struct PodTraffic {
  std::string context; // "" for the current one
  std::string ns;
  std::string pod;
  std::string error; // set when the pod could not be read; the counters are then empty
  ProxyTraffic traffic;

  bool failed() const { return !error.empty(); }
};

struct TrafficSnapshot {
  static constexpr int kVersion = 1;
  std::chrono::system_clock::time_point taken;
  std::vector<PodTraffic> pods; // sorted by context, namespace, pod
};

std::string snapshot_to_json(const TrafficSnapshot& snapshot);

// `what` names the source in errors ("--since \"before.json\""); errors are bad_input.
Result<TrafficSnapshot> snapshot_from_json(std::string_view text, const std::string& what);

// Writes the snapshot to `path` (mode 0600) through a temporary file in the same folder that is
// renamed into place, so a reader never sees half a snapshot. Errors are bad_input.
Status save_snapshot(const TrafficSnapshot& snapshot, const std::string& path);

Result<TrafficSnapshot> load_snapshot(const std::string& path);

// Whether save_snapshot(path) can work, checked before the cluster is read: the folder exists and
// is writable, and `path` is not a folder. bad_input naming the path and the fix otherwise.
Status check_snapshot_destination(const std::string& path);

// Envoy's TLS counters as the snapshot and the TrafficReport write them.
rapidjson::Value tls_counters_json(const TlsCounters& tls,
                                   rapidjson::Document::AllocatorType& allocator);

// "2026-12-04T07:20:00Z"
std::string format_utc(std::chrono::system_clock::time_point time);

} // namespace meshca
