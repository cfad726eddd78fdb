#pragma once
// What status reports, built from the objects it read. Pure, so tests build it from JSON.

#include "meshca/mesh/control_plane.h"
#include "meshca/mesh/namespace_injection.h"
#include "meshca/mesh/revision_ca.h"
#include "meshca/mesh/sidecar_pods.h"

#include <map>
#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

struct RevisionStatus {
  std::string name;
  std::string issuer;        // "CITADEL", "MESHCA", or "" when the objects do not say
  std::string issuer_source; // "IstioOperator installed-state-asm-1", "istiod env CA_ADDR"
  RevisionCa ca;             // what its configuration says (installed revisions only)
  std::optional<DeploymentRef> istiod;
  std::vector<DeploymentRef> gateways;
  std::vector<std::string> tags;     // revision tags pointing here
  std::vector<std::string> webhooks; // injector webhooks naming it
  std::string created;               // istiod's creationTimestamp (RFC 3339), for ordering
  int namespaces = 0;                // namespaces whose labels send new pods here
  int pods = 0;                      // running sidecar pods it injected (istio-system left out)
};

struct TagStatus {
  std::string name;
  std::string revision;
  std::string webhook;
};

struct NamespaceStatus {
  NamespaceInjection injection;
  std::map<std::string, int> pods; // revision ("default" for unnamed) -> running sidecar pods
};

// The preflight of the next step, in one line (checks/preflight.h has the checks).
struct PreflightSummary {
  std::string step;     // round1, round2, cleanup, prune
  std::string revision; // the revision it moves to or prunes ("" when none)
  int failures = 0;
  int warnings = 0;
  std::string verdict; // "round1 to asm-2: ready, 1 warning"
};

struct MeshStatus {
  std::vector<RevisionStatus> revisions; // sorted by name
  std::vector<TagStatus> tags;
  std::vector<NamespaceStatus> namespaces; // labelled or with sidecars; no system namespaces
  std::vector<std::string> ca_secrets;     // the ones present in istio-system
  std::string phase;
  int round = 0; // 1: distributing the Mesh CA root, 2: switching to Mesh CA certificates
  std::string summary;
  // The next step as preflight names it (round1, round2, prune, cleanup) and the revision it
  // acts on: the one namespaces move to, or the one to prune ("" when none is installed yet).
  std::string step;
  std::string step_revision;
  std::vector<std::string> next;
  std::vector<std::string> warnings;
  std::optional<PreflightSummary> preflight; // when it was evaluated

  const RevisionStatus* find(const std::string& name) const;
};

struct StatusInputs {
  const rapidjson::Value& deployments; // -l istio.io/rev, all namespaces
  const rapidjson::Value& webhooks;
  const rapidjson::Value& namespaces;
  const PodSelection& sidecars;      // every namespace but the system ones
  const rapidjson::Value* operators; // IstioOperators in istio-system; null: no such type
  std::vector<std::string> ca_secrets;
  const rapidjson::Value* config_maps = nullptr; // ConfigMaps in istio-system (mesh configs)
};

// Everything but the phase (see decide_phase).
MeshStatus build_status(const StatusInputs& inputs);

} // namespace meshca
