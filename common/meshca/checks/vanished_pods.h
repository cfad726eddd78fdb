#pragma once
// Pods that stopped running between the list and their read. A rollout replaces pods while they
// are checked: the one read after its deletion fails (kubectl exec: NotFound; the API transport:
// HTTP 404), yet it is not a sidecar that could not be read, it is no sidecar at all any more.

#include "meshca/kube/kubectl.h"
#include "meshca/mesh/sidecar_pods.h"

#include <atomic>
#include <cstddef>
#include <vector>

namespace meshca {

// Asks the cluster about a pod whose read failed: true when it is gone as listed (NotFound, a
// pod of the same name with another uid, being deleted, or no longer Running); false when it
// still runs or the question itself failed (the read's error then stands).
bool pod_stopped_running(KubectlRunner& kubectl, const SidecarPod& pod);

// For each `candidates[i]` (pod i's read failed), asks as above, `parallel` at a time, none once
// `cancel` is set; the answers, by index.
std::vector<bool> stopped_pods(KubectlRunner& kubectl,
                               const std::vector<const SidecarPod*>& candidates,
                               std::size_t parallel, const std::atomic<bool>* cancel);

} // namespace meshca
