#pragma once
// Where config dumps come from: a live proxy through `kubectl exec ... pilot-agent request`, or
// saved files (offline checks for support cases).

#include "meshca/kube/kubectl.h"
#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/result.h"

#include <chrono>
#include <string>

namespace meshca {

class DumpFetcher {
public:
  virtual ~DumpFetcher() = default;
  // The dump text of one pod's proxy; an error names the pod and the reason. Thread-safe.
  virtual Result<std::string> fetch(const SidecarPod& pod) = 0;

protected:
  DumpFetcher() = default;
  DumpFetcher(const DumpFetcher&) = default;
  DumpFetcher& operator=(const DumpFetcher&) = default;
};

enum class WantClusters { no, yes };

// The admin path asking Envoy only for what check-root reads: the secrets (active and warming),
// plus the outbound clusters when trust domains are checked. Proxies too old for `mask` ignore it
// and send the whole dump, which parses the same.
std::string config_dump_path(WantClusters clusters);

class KubectlExecFetcher final : public DumpFetcher {
public:
  KubectlExecFetcher(KubectlRunner& kubectl, WantClusters clusters,
                     std::chrono::milliseconds timeout)
      : kubectl_(kubectl), path_(config_dump_path(clusters)), timeout_(timeout) {}

  Result<std::string> fetch(const SidecarPod& pod) override;

  // The kubectl arguments for one pod (exposed for tests).
  std::vector<std::string> exec_args(const SidecarPod& pod) const;

private:
  KubectlRunner& kubectl_;
  std::string path_;
  std::chrono::milliseconds timeout_;
};

} // namespace meshca
