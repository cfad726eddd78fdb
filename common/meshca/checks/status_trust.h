#pragma once
// status's view of the trust gate, from configuration and pod counts alone (status reads no
// sidecar): what each installed revision's sidecars trust and issue, whether round 1 holds
// everywhere (no sidecar or gateway on a revision that does not trust the Mesh CA root), and
// whether the mesh is already broken (Mesh CA-issued sidecars beside ones that trust only
// Citadel, or the reverse). Pure.

#include "meshca/checks/status_model.h"
#include "meshca/checks/trust_gate.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct StatusTrust {
  std::map<std::string, RevisionTrust> revisions; // installed revisions, by name
  std::optional<std::string> root_distributing;   // issues Citadel, trusts both (newest)
  // Namespaces with sidecars on (or labels pointing at) a revision whose sidecars do not trust
  // the Mesh CA root, and such gateways ("istio-system/NAME (REV)").
  std::vector<std::string> citadel_only_namespaces;
  std::vector<std::string> citadel_only_gateways;
  // Already broken: one line per pair of sides that cannot authenticate each other.
  std::vector<std::string> broken;

  bool round1_holds() const {
    return citadel_only_namespaces.empty() && citadel_only_gateways.empty();
  }
  const RevisionTrust* find(const std::string& revision) const;
};

StatusTrust assess_status_trust(const MeshStatus& status);

} // namespace meshca
