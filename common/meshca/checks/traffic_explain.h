#pragma once
// Why a failing pair fails, from the certificates both sides hold: the config dumps of a few pods
// of the client workload and of the server (the pods its Service selects), each chain verified
// with OpenSSL against the other side's roots, and each side's accepted trust domains.

#include "meshca/checks/traffic_pairs.h"
#include "meshca/kube/kubectl.h"
#include "meshca/mesh/ca_class.h"
#include "meshca/mesh/dump_fetcher.h"
#include "meshca/mesh/sidecar_pods.h"

#include <atomic>
#include <string>
#include <vector>

namespace meshca {

struct ExplainTarget {
  std::string context;
  KubectlRunner* kubectl = nullptr;
  PodLister* lister = nullptr;  // null: kubectl lists
  DumpFetcher* dumps = nullptr; // reads config dumps with clusters (for trust domains)
};

// Sets `explanation` on every failing pair of `comparison` whose context is among `targets`.
// `read_pods` are the pods the snapshot was read from (the client pods are among them).
// Problems reading either side become the explanation ("server pods: ..."), never an error.
void explain_failing_pairs(TrafficComparison& comparison, const std::vector<ExplainTarget>& targets,
                           const std::vector<SidecarPod>& read_pods,
                           const MeshCaRecognizer& recognizer, const std::atomic<bool>* cancel);

} // namespace meshca
