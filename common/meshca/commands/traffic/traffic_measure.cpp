#include "meshca/commands/traffic/traffic_measure.h"

#include "meshca/checks/traffic_clusters.h"
#include "meshca/checks/traffic_explain.h"
#include "meshca/kube/retry.h"

#include <ostream>

namespace meshca {
namespace {

std::string ago(std::chrono::system_clock::time_point then,
                std::chrono::system_clock::time_point now) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - then).count();
  return std::to_string(seconds) + "s";
}

} // namespace

Result<TrafficMeasurement> measure_traffic(const std::string& kubectl_path,
                                           const CommonOptions& common,
                                           const TrafficOptions& options,
                                           std::optional<TrafficSnapshot> before,
                                           const MeshCaRecognizer& recognizer, std::ostream& notes,
                                           const std::atomic<bool>* cancel) {
  const TrafficOptions& o = options;
  MESHCA_TRY_ASSIGN(auto clusters, open_traffic_clusters(kubectl_path, common,
                                                         {o.transport, o.exec_timeout}, notes));
  const auto targets = stats_targets(clusters);
  const TrafficReadOptions read_options{o.namespaces, o.selector, o.parallel};
  MESHCA_TRY_ASSIGN(auto read, read_traffic(targets, read_options, cancel));
  if (o.window) {
    notes << "Read " << read.snapshot.pods.size() << " sidecars; reading again in "
          << o.window->count() << "s...\n";
    before = std::move(read.snapshot);
    sleep_unless_cancelled(*o.window, cancel);
    if (cancel != nullptr && cancel->load())
      return cluster_error("interrupted before the second read; nothing was compared");
    MESHCA_TRY_ASSIGN(auto again, read_traffic(targets, read_options, cancel));
    read = std::move(again);
  }
  TrafficMeasurement measured;
  TrafficReport& report = measured.report;
  report.taken = read.snapshot.taken;
  report.gate = before.has_value();
  report.comparison = compare_traffic(read.snapshot, before ? &*before : nullptr);
  if (o.window)
    report.window = std::to_string(o.window->count()) + "s (two reads)";
  else if (before)
    report.window = "since " + o.since.value_or("the snapshot") + " (taken " +
                    format_utc(before->taken) + ", " + ago(before->taken, read.snapshot.taken) +
                    " before this read)";
  explain_failing_pairs(report.comparison, explain_targets(clusters), read.pods, recognizer,
                        cancel);
  measured.snapshot = std::move(read.snapshot);
  measured.cluster_errors = std::move(read.cluster_errors);
  return measured;
}

} // namespace meshca
