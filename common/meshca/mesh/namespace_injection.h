#pragma once
// Which control plane each namespace's injection labels send its new pods to, as Istio's webhooks
// decide it: `istio-injection=enabled` goes to the default tag (or the legacy injector), and wins
// over `istio.io/rev` (the revision webhooks select `istio-injection DoesNotExist`);
// `istio.io/rev=X` goes to revision X or to the revision tag X. The one resolver: status and
// prune-revision read NamespaceInjection, relabel and rollout serving_revision
// (namespace_labels.h), both from injection_target. Pure.

#include "meshca/mesh/control_plane.h"

#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

// Why no revision injects a namespace's new pods.
enum class InjectionMiss {
  none,                   // one does: InjectionTarget::revision
  turned_off,             // istio-injection set to another value than "enabled"
  unlabelled,             // neither label
  enabled_unserved,       // istio-injection=enabled, but no default tag or legacy injector
  enabled_without_istiod, // istio-injection=enabled points at a revision that runs no istiod
  unknown_revision,       // istio.io/rev names neither a running revision nor a tag
};

struct InjectionTarget {
  std::string revision; // the revision new pods get; "" when none (see miss)
  std::string via;      // how: "istio-injection=enabled (default tag)", "istio.io/rev=prod (tag)"
  InjectionMiss miss = InjectionMiss::none;
  std::string unserved; // for enabled_without_istiod: the revision the label points at
};

// Where new pods of a namespace with these injection labels go.
InjectionTarget injection_target(const std::optional<std::string>& injection_label,
                                 const std::optional<std::string>& rev_label,
                                 const ControlPlane& plane);

struct NamespaceInjection {
  std::string name;
  std::optional<std::string> injection_label; // the istio-injection value, if set
  std::optional<std::string> rev_label;       // the istio.io/rev value, if set
  std::string target; // the revision new pods get; "" when none injects them
  std::string via;    // how: "istio-injection=enabled (default tag)", "istio.io/rev=prod (tag)"
  std::vector<std::string> problems; // both labels set; a label no control plane serves

  bool labelled() const { return injection_label.has_value() || rev_label.has_value(); }
  // "istio-injection=enabled,istio.io/rev=asm-1" or "" (the injection labels only).
  std::string labels_text() const;
};

NamespaceInjection resolve_namespace(const rapidjson::Value& ns, const ControlPlane& plane);

// Every namespace of a NamespaceList, sorted by name.
std::vector<NamespaceInjection> resolve_namespaces(const rapidjson::Value& list,
                                                   const ControlPlane& plane);

// True when `pod_revision` (as pod_revision() reads it) names `revision`; an unrevisioned
// install's pods may name none ("") or "default".
bool same_revision(const std::string& pod_revision, const std::string& revision);

} // namespace meshca
