#pragma once
// relabel's planning, pure: from the cluster's namespaces and control plane to the exact change
// (a JSON merge patch) per namespace, the namespaces left as they are, and the refusals.

#include "meshca/mesh/control_plane.h"
#include "meshca/mesh/namespace_labels.h"
#include "meshca/util/force.h"

#include <optional>
#include <string>
#include <vector>

namespace meshca {

enum class RelabelMode {
  revision,          // istio.io/rev=REV, istio-injection removed
  injection_enabled, // istio-injection=enabled, istio.io/rev removed (the rollback form)
  undo,              // the labels recorded in kPreviousLabelsAnnotation
};

struct RelabelTarget {
  RelabelMode mode = RelabelMode::revision;
  std::string revision; // for RelabelMode::revision
};

// Which namespaces a command names or selects.
struct NamespaceSelection {
  std::vector<std::string> named; // given on the command line or on stdin
  bool all_injected = false;      // --all
  // The names a -l selector matched (read from the cluster), when -l was given.
  std::optional<std::vector<std::string>> selector_matches;
};

struct SelectedNamespaces {
  std::vector<NamespaceInfo> namespaces; // sorted by name, each once
  std::vector<std::string> unknown;      // named but not in the cluster
};

// Named namespaces, plus with --all every namespace with injection now, plus (or, with --all,
// intersected with) what -l matched. --all and -l never pick kube-system, kube-public,
// kube-node-lease or istio-system; naming them works.
SelectedNamespaces select_namespaces(const std::vector<NamespaceInfo>& cluster,
                                     const NamespaceSelection& selection);

struct NamespaceChange {
  std::string name;
  LabelMap before; // the injection labels now
  LabelMap after;  // the injection labels once changed (== before when unchanged)
  bool changed = false;
  // The JSON merge patch for `kubectl patch namespace NAME --type merge -p PATCH`: the labels
  // that change (null removes one) and, except for --undo, the record of the labels replaced.
  // Empty when unchanged.
  std::string patch;
  std::vector<std::string> warnings; // "namespace \"x\": ..." lines, filled before applying
};

struct RelabelPlan {
  std::vector<NamespaceChange> namespaces; // in selection order
  // `namespace "x": ...` messages; while there is any, nothing may be sent.
  std::vector<std::string> refusals;
};

// Plans every namespace. `control_plane` is null with Force::yes (nothing is checked against
// it). A changing namespace is refused when the revision it would get has no control plane (no
// istiod of that revision and no tag of that name), when nothing serves istio-injection=enabled,
// or when it carries both injection labels; Force::yes turns those into warnings. --undo without a
// record is always refused: there is nothing to restore.
RelabelPlan plan_relabel(const std::vector<NamespaceInfo>& namespaces, const RelabelTarget& target,
                         const ControlPlane* control_plane, Force force);

// The merge patch that turns `before` into `after` (injection labels only) and, when given,
// sets the record annotation. Keys are written sorted.
std::string relabel_patch(const LabelMap& before, const LabelMap& after,
                          const std::optional<std::string>& record);

} // namespace meshca
