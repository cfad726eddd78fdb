#pragma once
// Namespaces as relabel and rollout see them: their sidecar injection labels, the record of the
// labels relabel replaced, and the revision whose injector serves them now.

#include "meshca/mesh/control_plane.h"
#include "meshca/util/result.h"

#include <map>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

inline constexpr std::string_view kInjectionLabel = "istio-injection"; // =enabled: legacy/default
inline constexpr std::string_view kRevisionLabel = "istio.io/rev";
// JSON object of the injection labels a namespace had before relabel changed them: `{}` when it
// had none. `relabel ns NS --undo` restores exactly these.
inline constexpr std::string_view kPreviousLabelsAnnotation =
    "meshca.kubectl.io/previous-injection-labels";

using LabelMap = std::map<std::string, std::string, std::less<>>;

// metadata.labels, spec.selector and the like: the string members of an object (none when it is
// null or not an object).
LabelMap string_map(const rapidjson::Value* object);

struct NamespaceInfo {
  std::string name;
  LabelMap labels;
  LabelMap annotations;

  // Only the istio-injection and istio.io/rev labels.
  LabelMap injection_labels() const;
  // istio-injection=enabled or any istio.io/rev: pods created here get a sidecar (if an
  // injector serves the label).
  bool has_injection() const;
  // Both keys present: which injector wins is easy to get wrong (istio-injection does).
  bool has_both_labels() const;
};

// A NamespaceList (`kubectl get namespaces -o json`) or a single Namespace, sorted by name.
// A document of another shape is cluster_error naming `what`.
Result<std::vector<NamespaceInfo>> parse_namespaces(const rapidjson::Value& document,
                                                    std::string_view what);

// "istio-injection=enabled", "istio-injection=enabled,istio.io/rev=asm-1" (sorted), or
// "(no injection label)".
std::string format_labels(const LabelMap& labels);

// The revision whose sidecars pods created in `ns` get now: for istio-injection=enabled the
// revision the default tag or the legacy injector points at; for istio.io/rev=X the revision of
// tag X, or X when an istiod of that revision runs. istio-injection with another value turns
// injection off (Istio's revision injectors require the label to be absent). Errors are
// check_failed and say what to do, e.g. `namespace "plain" has no sidecar injection label ...`.
Result<std::string> serving_revision(const NamespaceInfo& ns, const ControlPlane& control_plane);

// The record annotation's value for `labels`: compact JSON, keys sorted (`{"istio.io/rev":"a"}`).
std::string previous_labels_record(const LabelMap& labels);

// Reads a record annotation back; only the two injection labels are taken from it. A value that
// is not a JSON object of strings is check_failed naming the namespace and the annotation.
Result<LabelMap> parse_previous_labels(std::string_view value, std::string_view ns);

} // namespace meshca
