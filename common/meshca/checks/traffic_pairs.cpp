#include "meshca/checks/traffic_pairs.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace meshca {
namespace {

using PodKey = std::tuple<std::string, std::string, std::string>; // context, namespace, name

// A counter's growth; one lower than before (a restarted proxy, see restarted()) is all new.
double grown(double now, double before) {
  return now < before ? now : now - before;
}

TlsCounters tls_delta(const TlsCounters& now, const TlsCounters* before) {
  if (before == nullptr)
    return now;
  TlsCounters d;
  d.handshake = grown(now.handshake, before->handshake);
  d.connection_error = grown(now.connection_error, before->connection_error);
  d.fail_verify_error = grown(now.fail_verify_error, before->fail_verify_error);
  d.fail_verify_san = grown(now.fail_verify_san, before->fail_verify_san);
  d.fail_verify_no_cert = grown(now.fail_verify_no_cert, before->fail_verify_no_cert);
  return d;
}

OutboundCounters outbound_delta(const OutboundCounters& now, const OutboundCounters* before) {
  if (before == nullptr)
    return now;
  OutboundCounters d;
  d.requests = grown(now.requests, before->requests);
  d.failed_requests = grown(now.failed_requests, before->failed_requests);
  d.connections = grown(now.connections, before->connections);
  d.failed_connections = grown(now.failed_connections, before->failed_connections);
  d.has_tls = now.has_tls;
  d.tls = tls_delta(now.tls, before->has_tls ? &before->tls : nullptr);
  return d;
}

void add(OutboundCounters& sum, const OutboundCounters& more) {
  sum.requests += more.requests;
  sum.failed_requests += more.failed_requests;
  sum.connections += more.connections;
  sum.failed_connections += more.failed_connections;
  if (more.has_tls) {
    sum.has_tls = true;
    sum.tls.handshake += more.tls.handshake;
    sum.tls.connection_error += more.tls.connection_error;
    sum.tls.fail_verify_error += more.tls.fail_verify_error;
    sum.tls.fail_verify_san += more.tls.fail_verify_san;
    sum.tls.fail_verify_no_cert += more.tls.fail_verify_no_cert;
  }
}

bool went_down(const TlsCounters& now, const TlsCounters& before) {
  return now.handshake < before.handshake || now.connection_error < before.connection_error ||
         now.fail_verify_error < before.fail_verify_error ||
         now.fail_verify_san < before.fail_verify_san ||
         now.fail_verify_no_cert < before.fail_verify_no_cert;
}

// A proxy that restarted has every counter back at zero: if any of its counters is lower than in
// the earlier snapshot, all of its counts are taken as new.
bool restarted(const ProxyTraffic& now, const ProxyTraffic& before) {
  if (now.istiod_failures < before.istiod_failures || went_down(now.inbound, before.inbound))
    return true;
  for (const auto& [service, was] : before.outbound) {
    auto it = now.outbound.find(service);
    if (it == now.outbound.end())
      return true; // a series disappears only when the proxy starts again
    const OutboundCounters& is = it->second;
    if (is.requests < was.requests || is.failed_requests < was.failed_requests ||
        is.connections < was.connections || is.failed_connections < was.failed_connections ||
        (was.has_tls && is.has_tls && went_down(is.tls, was.tls)))
      return true;
  }
  return false;
}

// The workload a pod's counters belong to: as its metrics label it, else its pod name (a pod that
// sent no request has no Istio metric naming its workload).
std::pair<std::string, std::string> workload_of(const PodTraffic& pod) {
  if (!pod.traffic.workload.empty())
    return {pod.traffic.workload_namespace.empty() ? pod.ns : pod.traffic.workload_namespace,
            pod.traffic.workload};
  return {pod.ns, pod.pod};
}

} // namespace

double TrafficPair::failures() const {
  // Istio's metrics and Envoy's TLS counters see the same failed connection; the larger count
  // is the better estimate when both are there.
  const double istio = counts.failed_requests + counts.failed_connections;
  return counts.has_tls ? std::max(istio, counts.tls.failures()) : istio;
}

std::size_t TrafficComparison::failing_pairs() const {
  return static_cast<std::size_t>(std::count_if(
      pairs.begin(), pairs.end(), [](const TrafficPair& p) { return p.failures() > 0; }));
}

std::size_t TrafficComparison::istiod_failing_pods() const {
  return static_cast<std::size_t>(std::count_if(
      pods.begin(), pods.end(), [](const PodHealth& p) { return p.istiod_failures > 0; }));
}

std::size_t TrafficComparison::inbound_failing_pods() const {
  return static_cast<std::size_t>(std::count_if(
      pods.begin(), pods.end(), [](const PodHealth& p) { return p.inbound.failures() > 0; }));
}

std::size_t TrafficComparison::pods_without_tls_counters() const {
  return static_cast<std::size_t>(
      std::count_if(pods.begin(), pods.end(), [](const PodHealth& p) { return !p.tls_counters; }));
}

std::size_t TrafficComparison::pods_without_agent_metrics() const {
  return static_cast<std::size_t>(
      std::count_if(pods.begin(), pods.end(), [](const PodHealth& p) { return !p.agent_metrics; }));
}

TrafficComparison compare_traffic(const TrafficSnapshot& now, const TrafficSnapshot* before) {
  TrafficComparison result;
  std::map<PodKey, const PodTraffic*> earlier;
  if (before != nullptr) {
    result.windowed = true;
    result.window_seconds = std::chrono::duration<double>(now.taken - before->taken).count();
    for (const PodTraffic& pod : before->pods)
      if (!pod.failed())
        earlier[{pod.context, pod.ns, pod.pod}] = &pod;
  }
  using PairKey = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<PairKey, TrafficPair> pairs;
  for (const PodTraffic& pod : now.pods) {
    if (pod.failed()) {
      result.failed_pods.push_back(pod.error); // names the pod
      continue;
    }
    const PodTraffic* old = nullptr;
    if (before != nullptr) {
      auto it = earlier.find({pod.context, pod.ns, pod.pod});
      old = it == earlier.end() ? nullptr : it->second;
      if (old == nullptr) {
        ++result.new_pods;
      } else if (restarted(pod.traffic, old->traffic)) {
        ++result.restarted;
        old = nullptr;
      }
    }
    const auto [ns, workload] = workload_of(pod);
    for (const auto& [service, counters] : pod.traffic.outbound) {
      const OutboundCounters* was = nullptr;
      if (old != nullptr)
        if (auto it = old->traffic.outbound.find(service); it != old->traffic.outbound.end())
          was = &it->second;
      const OutboundCounters delta = outbound_delta(counters, was);
      TrafficPair& pair = pairs[{pod.context, ns, workload, service}];
      if (pair.destination.empty()) {
        pair.context = pod.context;
        pair.source_namespace = ns;
        pair.source_workload = workload;
        pair.destination = service;
      }
      add(pair.counts, delta);
      pair.source_pods.push_back(pod.ns + "/" + pod.pod);
    }
    PodHealth health;
    health.context = pod.context;
    health.ns = pod.ns;
    health.pod = pod.pod;
    health.workload = workload;
    health.tls_counters = pod.traffic.tls_counters;
    health.agent_metrics = pod.traffic.agent_metrics;
    health.inbound = tls_delta(pod.traffic.inbound, old ? &old->traffic.inbound : nullptr);
    health.istiod_failures = old ? grown(pod.traffic.istiod_failures, old->traffic.istiod_failures)
                                 : pod.traffic.istiod_failures;
    result.pods.push_back(std::move(health));
  }
  for (auto& [key, pair] : pairs)
    result.pairs.push_back(std::move(pair));
  std::stable_sort(result.pairs.begin(), result.pairs.end(),
                   [](const TrafficPair& a, const TrafficPair& b) {
                     return (a.failures() > 0) > (b.failures() > 0);
                   });
  std::sort(result.pods.begin(), result.pods.end(), [](const PodHealth& a, const PodHealth& b) {
    return std::tie(a.context, a.ns, a.pod) < std::tie(b.context, b.ns, b.pod);
  });
  return result;
}

} // namespace meshca
