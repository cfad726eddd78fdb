#pragma once
// Reading what status needs from the cluster: its list calls at once, no exec, no Secret data.
// The pods of the whole cluster are read a page at a time and kept only as their sidecar facts.

#include "meshca/checks/status_model.h"
#include "meshca/kube/kubectl.h"

#include <functional>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

struct StatusSnapshot {
  rapidjson::Document deployments; // -l istio.io/rev, all namespaces
  rapidjson::Document webhooks;
  rapidjson::Document namespaces;
  PodSelection sidecars;                  // every namespace but the system ones, paged
  rapidjson::Document control_plane_pods; // in istio-system (preflight: the webhooks' endpoints)
  rapidjson::Document operators;          // null when the cluster has no IstioOperator type
  std::vector<std::string> ca_secrets;
  rapidjson::Document config_maps; // in istio-system: the revisions' mesh config

  StatusInputs inputs() const;
};

// The CA secrets are looked up with `-o name`, so their data never leaves kubectl.
Result<StatusSnapshot> read_status_snapshot(KubectlRunner& kubectl);

// Whether status_reads looks up the CA secrets' names itself, or the caller fills `ca_secrets`
// from a read of its own that names them too (preflight reads the secrets' roots).
enum class CaSecretNames { read, by_caller };

// The reads behind read_status_snapshot, each filling its part of `snapshot`, for a caller that
// starts more reads alongside them (preflight).
std::vector<std::function<Status()>> status_reads(KubectlRunner& kubectl, StatusSnapshot& snapshot,
                                                  CaSecretNames names = CaSecretNames::read);

// Runs independent reads at once; the first error (in the order given) is returned.
Status run_reads_at_once(const std::vector<std::function<Status()>>& reads);

} // namespace meshca
