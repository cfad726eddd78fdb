#pragma once
// Reads what the trust gate decides on, once per run: what every sidecar of every cluster holds
// (the check-root library, with --workload-cert, in parallel) and the changed cluster's
// control-plane CA configuration; then answers for any revision. Used by relabel and rollout.

#include "meshca/checks/check_root.h"
#include "meshca/checks/trust_gate.h"
#include "meshca/mesh/revision_ca_read.h"
#include "meshca/util/force.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

// The gate as relabel and rollout call it: the verdict for moving to `revision`.
using TrustGateCheck = std::function<Result<TrustGateVerdict>(const std::string& revision)>;

class MeshTrustGate {
 public:
  struct Settings {
    std::vector<ClusterTarget> clusters; // the first is the cluster being changed
    const MeshCaRecognizer* recognizer = nullptr;
    const std::atomic<bool>* cancel = nullptr;
    std::size_t parallel = 32;
  };

  explicit MeshTrustGate(Settings settings) : settings_(std::move(settings)) {}

  // Reads the mesh on the first call (a failure to read is returned as is and retried by the
  // next call), then evaluates moving to `revision`.
  Result<TrustGateVerdict> check(const std::string& revision);

 private:
  Status read();

  Settings settings_;
  std::optional<CheckRootResult> mesh_;
  std::optional<MeshCaConfig> config_;
};

// The installed revision a move should go through first: it issues Citadel certificates and its
// sidecars trust both roots (the newest such, by istiod's creation time), if there is one.
std::optional<std::string> root_distributing_revision(const MeshCaConfig& config,
                                                      const CheckRootResult& mesh,
                                                      const MeshCaRecognizer& recognizer);

// One planned move: the namespaces (or gateways) that would get sidecars of `revision`.
struct PlannedMove {
  std::string revision;
  std::vector<std::string> what; // "namespace shop", "the gateways of asm-2 in istio-system"
};

// Runs the gate for every move. Refused (or not readable): the error, unless Force::yes, which
// turns it into `warnings` ("--force: ..." lines naming what was overridden). An empty `gate`
// (no gate configured) passes.
Status apply_trust_gate(const TrustGateCheck& gate, const std::vector<PlannedMove>& moves,
                        Force force, std::vector<std::string>& warnings);

} // namespace meshca
