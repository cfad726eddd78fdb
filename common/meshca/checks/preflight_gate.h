#pragma once
// Preflight as a gate on relabel: moving namespaces to a revision starts a round when the
// revision is configured for one (round 2: it issues Mesh CA certificates; round 1: it is
// configured, even partly, to hand out the Mesh CA root). Such a move is refused while the
// preflight for that round fails on what the move depends on: the revision's own settings,
// the moved namespaces' istio-ca-root-cert, the injector webhooks, the CA secrets. A move to a
// plain Citadel revision (a rollback, an upgrade) starts no round and is not checked here.

#include "meshca/checks/preflight.h"
#include "meshca/checks/status_model.h"
#include "meshca/kube/kubectl.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct PreflightGateVerdict {
  std::string revision;
  std::optional<PreflightStep> step;    // the round the move starts; empty: none, not checked
  std::vector<PreflightCheck> blocking; // the failures the move depends on
};

// The round moving namespaces to `revision` starts, if any.
std::optional<PreflightStep> round_started_by(const MeshStatus& status,
                                              const std::string& revision);

// The failures of `report` that a move of `namespaces` depends on. Pure.
std::vector<PreflightCheck> move_blockers(const PreflightReport& report,
                                          const std::string& revision,
                                          const std::vector<std::string>& namespaces);

// The Mesh CA recognizer, loaded when first needed (a move that starts no round needs none).
using RecognizerLoader = std::function<Result<const MeshCaRecognizer*>()>;

// Reads the cluster (the preflight's lists) and decides.
Result<PreflightGateVerdict> check_move_preflight(KubectlRunner& kubectl,
                                                  const RecognizerLoader& recognizer,
                                                  const std::string& revision,
                                                  const std::vector<std::string>& namespaces);

// The refusal: which checks fail, their fixes, and the command that shows them all.
std::string preflight_refusal(const PreflightGateVerdict& verdict);

} // namespace meshca
