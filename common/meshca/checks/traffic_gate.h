#pragma once
// --verify-traffic for a step that changes the mesh (rollout, cleanup-secrets, prune-revision):
// every sidecar's counters are read before the step, and again a window after it; the step fails
// (exit 1) when any pair's connection failures, any proxy's failures to reach istiod, or any
// sidecar's rejected handshakes rose in between. The same reads and rules as `kubectl meshca
// traffic --since`.

#include "meshca/checks/traffic_pairs.h"
#include "meshca/cli/common_options.h"
#include "meshca/cli/plugin_runner.h"
#include "meshca/cli/traffic_gate_flags.h"
#include "meshca/kube/kubectl.h"
#include "meshca/mesh/dump_fetcher.h"

#include <atomic>
#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

// The gate's answer, printed by render_traffic_gate.
struct TrafficGateResult {
  TrafficComparison comparison;
  std::chrono::seconds window{0};
  bool rose() const { return comparison.failures_rose(); }
};

class TrafficGateSession {
 public:
  // Every cluster of `common` (--context, repeatable) is read, all namespaces: a step in one
  // namespace can break its clients anywhere.
  TrafficGateSession(std::string kubectl_path, const CommonOptions& common,
                     std::optional<std::string> meshca_bundle, std::ostream& notes);
  ~TrafficGateSession();
  TrafficGateSession(const TrafficGateSession&) = delete;
  TrafficGateSession& operator=(const TrafficGateSession&) = delete;

  // The snapshot before the step. An error means the step must not start: without it nothing
  // could be compared afterwards.
  Status before(const std::atomic<bool>* cancel);

  // Waits `window` (telling `notes`), reads again and compares with before(); failing pairs are
  // explained from the certificates.
  Result<TrafficGateResult> after(std::chrono::seconds window, const std::atomic<bool>* cancel);

 private:
  struct Clusters;
  std::string kubectl_path_;
  CommonOptions common_;
  std::optional<std::string> meshca_bundle_;
  std::ostream& notes_;
  std::unique_ptr<Clusters> clusters_;
};

// "Traffic: OK, ..." or the failures with their explanations.
std::string render_traffic_gate(const TrafficGateResult& result);

// What a step's run returns after the step itself succeeded: ok when the gate is off; else the
// window's verdict, printed on `out` (stdout, or stderr beside a JSON document), check_failed
// when failures rose, an error when the second read failed.
RunOutcome traffic_verdict(const TrafficGateOptions& options, TrafficGateSession& session,
                           PluginContext& context, std::ostream& out);

} // namespace meshca
