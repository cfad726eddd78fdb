#pragma once
// The mesh's control planes as the cluster shows them: istiod revisions (Deployments labelled
// istio.io/rev), their gateways, and the sidecar injector webhooks (per revision, revision tags,
// the legacy `istio-injection=enabled` one). Read by relabel, rollout, status and prune-revision.

#include "meshca/kube/kubectl.h"
#include "meshca/util/result.h"

#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

struct DeploymentRef {
  std::string ns;
  std::string name;
  int replicas = 0;
  int ready_replicas = 0;
};

struct ControlPlaneRevision {
  std::string name; // the istio.io/rev value ("default" for an unrevisioned install)
  std::optional<DeploymentRef> istiod; // absent when only gateways or webhooks name the revision
  std::vector<DeploymentRef> gateways; // other Deployments labelled with this revision
};

struct InjectorWebhook {
  std::string name;                    // the MutatingWebhookConfiguration
  std::string revision;                // its istio.io/rev label
  std::string tag;                     // its istio.io/tag label ("" for a revision's own injector)
  std::string service;                 // "istio-system/istiod-asm-1" the webhook calls
  bool serves_injection_label = false; // selects namespaces labelled istio-injection=enabled
};

struct ControlPlane {
  std::vector<ControlPlaneRevision> revisions; // sorted by name
  std::vector<InjectorWebhook> webhooks;       // sorted by name

  const ControlPlaneRevision* find_revision(std::string_view name) const;
  // The revision a tag points at, if `name` is a revision tag.
  std::optional<std::string> tag_target(std::string_view tag) const;
  // True when pods labelled istio.io/rev=NAME would be injected: an istiod of that revision, or a
  // revision tag of that name.
  bool serves(std::string_view name) const;
  // The revision `istio-injection=enabled` namespaces get (the default tag or legacy injector).
  std::optional<std::string> injection_label_revision() const;
};

// From a Deployment list (`-l istio.io/rev`, all namespaces) and a MutatingWebhookConfiguration
// list. Pure: no cluster access.
ControlPlane parse_control_plane(const rapidjson::Value& deployments,
                                 const rapidjson::Value& webhooks);

// The two lists a control plane is parsed from, as kubectl returned them.
struct ControlPlaneLists {
  rapidjson::Document deployments; // -l istio.io/rev, all namespaces
  rapidjson::Document webhooks;    // every MutatingWebhookConfiguration
};

// Reads both lists through kubectl (two calls).
Result<ControlPlaneLists> read_control_plane_lists(KubectlRunner& kubectl);

// Reads both lists and parses them.
Result<ControlPlane> read_control_plane(KubectlRunner& kubectl);

} // namespace meshca
