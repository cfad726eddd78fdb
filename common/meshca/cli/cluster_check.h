#pragma once
// Is this the cluster the user meant? Every command that reads or changes the Istio install first
// checks that the cluster has the istio-system namespace: a kubeconfig pointing at the wrong
// cluster is the user's input (exit 2), found before anything is changed.

#include "meshca/kube/kubectl.h"
#include "meshca/util/result.h"

#include <optional>
#include <string>

namespace meshca {

// One `kubectl get namespace istio-system -o name`. Done when it exists; bad_input naming the
// context (or "the current context") and the fix when the API says it does not; a kubeconfig
// failure is bad_input (classify_kubeconfig_error); any other failure is cluster_error.
Status require_istio_namespace(KubectlRunner& kubectl, const std::optional<std::string>& context);

} // namespace meshca
