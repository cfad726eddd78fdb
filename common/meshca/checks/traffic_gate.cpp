#include "meshca/checks/traffic_gate.h"

#include "meshca/checks/traffic_clusters.h"
#include "meshca/checks/traffic_read.h"
#include "meshca/kube/retry.h"
#include "meshca/mesh/meshca_bundle_source.h"
#include "meshca/mesh/proxy_traffic.h"

#include <cmath>
#include <ostream>

namespace meshca {

struct TrafficGateSession::Clusters {
  std::vector<TrafficCluster> clusters;
  std::optional<TrafficSnapshot> before;
};

TrafficGateSession::TrafficGateSession(std::string kubectl_path, const CommonOptions& common,
                                       std::optional<std::string> meshca_bundle,
                                       std::ostream& notes)
    : kubectl_path_(std::move(kubectl_path)), common_(common),
      meshca_bundle_(std::move(meshca_bundle)), notes_(notes) {}

TrafficGateSession::~TrafficGateSession() = default;

Status TrafficGateSession::before(const std::atomic<bool>* cancel) {
  clusters_ = std::make_unique<Clusters>();
  MESHCA_TRY_ASSIGN(auto clusters, open_traffic_clusters(kubectl_path_, common_, {}, notes_));
  clusters_->clusters = std::move(clusters);
  MESHCA_TRY_ASSIGN(auto read, read_traffic(stats_targets(clusters_->clusters), {}, cancel));
  std::size_t unread = 0;
  for (const PodTraffic& pod : read.snapshot.pods)
    unread += pod.failed() ? 1 : 0;
  if (unread > 0)
    return cluster_error("--verify-traffic: " + std::to_string(unread) + " of " +
                         std::to_string(read.snapshot.pods.size()) +
                         " sidecars' counters could not be read before the step, so failures "
                         "after it could not be told from old ones; nothing was changed (see "
                         "kubectl meshca traffic -A for which, or drop --verify-traffic)");
  notes_ << "Traffic: read the counters of " << read.snapshot.pods.size()
         << " sidecars before the step\n";
  clusters_->before = std::move(read.snapshot);
  return done();
}

Result<TrafficGateResult> TrafficGateSession::after(std::chrono::seconds window,
                                                    const std::atomic<bool>* cancel) {
  if (!clusters_ || !clusters_->before)
    return cluster_error("--verify-traffic: no snapshot was taken before the step");
  notes_ << "Traffic: counting for " << window.count() << "s after the step...\n";
  sleep_unless_cancelled(window, cancel);
  if (cancel != nullptr && cancel->load())
    return cluster_error("--verify-traffic: interrupted while counting; the step itself is done, "
                         "compare later with kubectl meshca traffic -A --window 60s");
  MESHCA_TRY_ASSIGN(auto read, read_traffic(stats_targets(clusters_->clusters), {}, cancel));
  TrafficGateResult result;
  result.window = window;
  result.comparison = compare_traffic(read.snapshot, &*clusters_->before);
  if (result.comparison.failing_pairs() > 0) {
    MESHCA_TRY_ASSIGN(auto recognizer,
                      load_meshca_recognizer({meshca_bundle_, default_cache_dir()}));
    explain_failing_pairs(result.comparison, explain_targets(clusters_->clusters), read.pods,
                          recognizer, cancel);
  }
  return result;
}

std::string render_traffic_gate(const TrafficGateResult& result) {
  const TrafficComparison& c = result.comparison;
  const std::string when = std::to_string(static_cast<long long>(std::llround(c.window_seconds))) +
                           "s from before the step to " + std::to_string(result.window.count()) +
                           "s after it";
  std::string out;
  if (!result.rose()) {
    out = "Traffic: OK, no connection failure rose in the " + when + " (" +
          std::to_string(c.pods.size()) + " sidecars, " + std::to_string(c.pairs.size()) +
          " pairs)\n";
  } else {
    out = "Traffic: FAILED, failures rose in the " + when + ":\n";
    for (const TrafficPair& pair : c.pairs)
      if (pair.failures() > 0)
        out +=
            "  " +
            (pair.explanation.empty() ? pair.source() + " → " + short_service_name(pair.destination)
                                      : pair.explanation) +
            " (" + std::to_string(static_cast<long long>(std::llround(pair.failures()))) +
            " failed)\n";
    for (const PodHealth& pod : c.pods) {
      if (pod.istiod_failures > 0)
        out += "  " + pod.ns + "/" + pod.pod + ": could not reach or verify istiod (" +
               std::to_string(static_cast<long long>(std::llround(pod.istiod_failures))) +
               " times)\n";
      if (pod.inbound.failures() > 0)
        out += "  " + pod.ns + "/" + pod.pod + ": rejected " +
               std::to_string(static_cast<long long>(std::llround(pod.inbound.failures()))) +
               " incoming TLS handshakes\n";
    }
    out += "  (the step is done; details: kubectl meshca traffic -A -o wide)\n";
  }
  for (const std::string& error : c.failed_pods)
    out += "  ERROR: " + error + "\n";
  return out;
}

RunOutcome traffic_verdict(const TrafficGateOptions& options, TrafficGateSession& session,
                           PluginContext& context, std::ostream& out) {
  if (!options.enabled)
    return ExitStatus::ok;
  auto verdict = session.after(options.window, &context.cancel);
  if (!verdict)
    return verdict.error();
  out << render_traffic_gate(*verdict) << std::flush;
  return verdict->rose() ? ExitStatus::check_failed : ExitStatus::ok;
}

} // namespace meshca
