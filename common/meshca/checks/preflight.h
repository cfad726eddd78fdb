#pragma once
// Preflight: whether the control plane is configured to carry the step about to start (round 1,
// round 2, the secret cleanup, a prune), from objects alone. The checks, and the Istio and
// asmcli sources behind each, are in docs/preflight.md.

#include "meshca/checks/preflight_model.h"
#include "meshca/checks/preflight_read.h"
#include "meshca/mesh/ca_class.h"

#include <optional>
#include <string>

namespace meshca {

struct PreflightRequest {
  std::optional<PreflightStep> step;   // --for; empty: the next step, as status computes it
  std::optional<std::string> revision; // --revision; empty: the step's revision from status
};

// The report, or bad_input when --revision names no installed revision (or tag).
Result<PreflightReport> evaluate_preflight(const PreflightSnapshot& snapshot,
                                           const PreflightRequest& request,
                                           const MeshCaRecognizer& recognizer);

} // namespace meshca
