#pragma once
// traffic's measurement without its output: every sidecar's counters read once (or twice,
// --window apart), compared with the earlier snapshot when there is one, and the failing pairs
// explained from the certificates. The command prints it; the report draws it.

#include "meshca/checks/traffic_read.h"
#include "meshca/cli/common_options.h"
#include "meshca/commands/traffic/traffic_cli.h"
#include "meshca/commands/traffic/traffic_output.h"
#include "meshca/mesh/ca_class.h"

#include <atomic>
#include <iosfwd>
#include <optional>
#include <string>

namespace meshca {

struct TrafficMeasurement {
  TrafficReport report;
  TrafficSnapshot snapshot;                // the (last) read, for --save
  std::vector<std::string> cluster_errors; // contexts whose pods could not be listed
};

// `before`: the snapshot loaded from options.since (checked by the caller before anything is
// read). Progress goes to `notes`. An interrupt during the window is cluster_error.
Result<TrafficMeasurement> measure_traffic(const std::string& kubectl_path,
                                           const CommonOptions& common,
                                           const TrafficOptions& options,
                                           std::optional<TrafficSnapshot> before,
                                           const MeshCaRecognizer& recognizer, std::ostream& notes,
                                           const std::atomic<bool>* cancel);

} // namespace meshca
