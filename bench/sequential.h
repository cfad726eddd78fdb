#pragma once
// The baseline: what the bash checker does, one kubectl process per pod, one after another
// (`kubectl get pods -A -o json`, then `kubectl exec POD -c istio-proxy -- pilot-agent request
// GET config_dump` per pod). Processes are started through meshca's process runner, no shell.

#include <string>
#include <vector>

namespace bench {

// `meshca-bench sequential KUBECTL KUBECONFIG PODS_FILE`: PODS_FILE holds "NAMESPACE NAME" lines.
// Prints one line: pods=N failures=F list_wall_s=X list_cpu_s=Y execs_wall_s=Z execs_cpu_s=W.
int sequential_main(const std::vector<std::string>& args);

} // namespace bench
