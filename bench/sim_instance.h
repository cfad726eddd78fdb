#pragma once
// A meshca-sim holding the benchmark mesh: N sidecar pods over 20 namespaces, a fixed exec
// latency, and dumps of realistic size (outbound clusters per sidecar).

#include "meshca/util/background_process.h"
#include "meshca/util/result.h"

#include <map>
#include <memory>
#include <string>

namespace bench {

struct SimSettings {
  std::string binary; // meshca-sim
  std::string dir;    // scratch folder for the scenario, kubeconfig, PKI
  int pods = 1000;
  int namespaces = 20;
  int outbound_clusters = 300; // about 3.3 KB each: 300 make a dump of about 1 MB
  int exec_latency_ms = 50;
  bool traffic = false; // each workload calls the next (scale.traffic), for the traffic run
};

class SimInstance {
 public:
  // Starts the simulator and waits until every generated pod is Running.
  static meshca::Result<std::unique_ptr<SimInstance>> start(const SimSettings& settings);

  std::string url(const std::string& path) const;
  std::string kubeconfig() const { return dir_ + "/kubeconfig"; }
  std::string bundle() const { return dir_ + "/pki/spiffe_bundle.json"; }
  int port() const { return port_; }

  // GET /simctl/stats as counters.
  meshca::Result<std::map<std::string, long long>> stats() const;

 private:
  SimInstance(std::string dir, meshca::BackgroundProcess process, int port)
      : dir_(std::move(dir)), process_(std::move(process)), port_(port) {}
  std::string dir_;
  meshca::BackgroundProcess process_;
  int port_;
};

// Counts the Running pods that have an istio-proxy container in a PodList body.
meshca::Result<int> running_sidecars(const std::string& pod_list_json);

} // namespace bench
