#pragma once
// Restarting istiod so it re-reads (or stops finding) the CA secrets: `kubectl rollout restart`
// and `kubectl rollout status` on each istiod Deployment in istio-system.

#include "meshca/kube/dry_run.h"
#include "meshca/kube/kubectl.h"

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

namespace meshca {

// The Deployments labelled app=istiod in istio-system, sorted by name. cluster_error when the
// list cannot be read.
Result<std::vector<std::string>> list_istiod_deployments(KubectlRunner& kubectl);

// Restarts each Deployment and waits up to `timeout` for it to roll out, printing
// "deployment.apps/NAME restarted" and "deployment.apps/NAME rolled out" to `out`. DryRun::client
// sends nothing; DryRun::server sends the restart with dryRun=All and does not wait. Stops at the
// first failure (cluster_error naming the Deployment and the command to finish by hand).
Status restart_istiod(KubectlRunner& kubectl, const std::vector<std::string>& deployments,
                      DryRun dry_run, std::chrono::seconds timeout, std::ostream& out);

} // namespace meshca
