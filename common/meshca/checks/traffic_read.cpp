#include "meshca/checks/traffic_read.h"

#include "meshca/kube/api_client_paths.h" // percent_encode: the agent forwards the query as it is
#include "meshca/util/progress.h"
#include "meshca/util/worker_pool.h"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace meshca {
namespace {

// A pod without Istio metrics (it neither sent nor took a request) is named after its owner:
// a Deployment's ReplicaSet "web-7d9f8" is workload "web", as Istio names it.
std::string workload_of(const SidecarPod& pod) {
  if (pod.owner_kind == "ReplicaSet") {
    const std::size_t dash = pod.owner_name.rfind('-');
    return dash == std::string::npos ? pod.owner_name : pod.owner_name.substr(0, dash);
  }
  return pod.owner_name.empty() ? pod.name : pod.owner_name;
}

} // namespace

std::string traffic_stats_filter() {
  // Istio's metrics are named istiocustom.istio_requests_total.reporter.source...., the TLS
  // counters cluster.outbound|PORT||HOST.ssl.NAME and listener.ADDRESS.ssl.NAME.
  // server.live is always there: an answer without it was filtered wrongly (see
  // traffic_clusters.cpp).
  return "istio_requests_total|istio_tcp_connections_opened_total|"
         "\\.ssl\\.(handshake|connection_error|fail_verify_error|fail_verify_san|"
         "fail_verify_no_cert)$|^server\\.live$";
}

AdminRequest traffic_stats_request() {
  AdminRequest request;
  request.agent_flags = {"--debug-port", "15020"};
  request.path = "stats/prometheus?filter=" + percent_encode(traffic_stats_filter());
  request.what = "reading the proxy's stats";
  return request;
}

AdminRequest traffic_unfiltered_stats_request() {
  AdminRequest request = traffic_stats_request();
  request.path = "stats/prometheus";
  return request;
}

AdminRequest traffic_envoy_stats_request() {
  AdminRequest request;
  request.path = "stats/prometheus?filter=" + percent_encode(traffic_stats_filter());
  request.what = "reading the proxy's stats";
  return request;
}

Result<TrafficRead> read_traffic(const std::vector<ClusterTarget>& clusters,
                                 const TrafficReadOptions& options,
                                 const std::atomic<bool>* cancel) {
  TrafficRead read;
  std::vector<std::size_t> cluster_of;
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    auto selection = list_cluster_sidecars(clusters[c], options.namespaces, options.selector);
    if (!selection) {
      if (selection.error().status == ExitStatus::bad_input || clusters.size() == 1)
        return selection.error();
      read.cluster_errors.push_back(
          (clusters[c].context.empty() ? "" : "context \"" + clusters[c].context + "\": ") +
          selection.error().message);
      continue;
    }
    for (SidecarPod& pod : selection->sidecars) {
      read.pods.push_back(std::move(pod));
      cluster_of.push_back(c);
    }
  }
  if (!clusters.empty() && read.cluster_errors.size() == clusters.size())
    return cluster_error(read.cluster_errors.front());

  std::vector<PodTraffic> pods(read.pods.size());
  ProgressLine progress("reading sidecars' stats", pods.size());
  parallel_for(
      pods.size(), options.parallel,
      [&](std::size_t i) {
        const SidecarPod& sidecar = read.pods[i];
        PodTraffic& pod = pods[i];
        pod.context = clusters[cluster_of[i]].context;
        pod.ns = sidecar.ns;
        pod.pod = sidecar.name;
        auto text = clusters[cluster_of[i]].fetcher->fetch(sidecar);
        if (!text) {
          pod.error = text.error().message;
        } else {
          pod.traffic = read_proxy_traffic(*text);
          if (pod.traffic.workload.empty()) {
            pod.traffic.workload = workload_of(sidecar);
            pod.traffic.workload_namespace = sidecar.ns;
          }
          if (pod.traffic.samples == 0)
            pod.error = "pod \"" + pod.ns + "/" + pod.pod +
                        "\": its stats answer holds no metric (is port 15020 pilot-agent's?)";
        }
        progress.advance(pod.failed() ? Outcome::failed : Outcome::ok);
      },
      cancel);
  progress.finish();
  read.snapshot.taken = std::chrono::system_clock::now();
  for (std::size_t i = 0; i < pods.size(); ++i) {
    if (pods[i].pod.empty()) { // never started: interrupted
      pods[i].context = clusters[cluster_of[i]].context;
      pods[i].ns = read.pods[i].ns;
      pods[i].pod = read.pods[i].name;
      pods[i].error = "not read: interrupted";
    }
  }
  // Sorted as the snapshot promises, the pod list in the same order.
  std::vector<std::size_t> order(pods.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(pods[a].context, pods[a].ns, pods[a].pod) <
           std::tie(pods[b].context, pods[b].ns, pods[b].pod);
  });
  std::vector<SidecarPod> sorted_pods;
  for (std::size_t i : order) {
    read.snapshot.pods.push_back(std::move(pods[i]));
    sorted_pods.push_back(std::move(read.pods[i]));
  }
  read.pods = std::move(sorted_pods);
  return read;
}

} // namespace meshca
