// Mesh::Impl: the traffic model's inputs (pods, Services) and its outputs (the stats endpoints).
#include "mesh/controller_view.h"
#include "mesh/json_text.h"
#include "mesh/mesh_impl.h"
#include "server/json_util.h"

#include <cmath>
#include <cstdio>

namespace sim::mesh {

using rapidjson::Value;
using Clock = std::chrono::steady_clock;

namespace {

std::map<std::string, std::string> annotations_of(const Value& pod) {
  std::map<std::string, std::string> out;
  if (const Value* a = find_path(pod, "metadata.annotations"); a && a->IsObject())
    for (const auto& m : a->GetObject())
      if (m.value.IsString())
        out[m.name.GetString()] = m.value.GetString();
  return out;
}

std::uint64_t whole(double value) {
  return value <= 0 ? 0 : static_cast<std::uint64_t>(std::floor(value));
}

// The Envoy stats every sidecar has under Istio's default inclusion (a reader must filter).
void add_default_stats(std::vector<Stat>& out, int outbound_clusters) {
  auto gauge = [&](const char* name, std::uint64_t value) {
    out.push_back({envoy_stat(name), true, value, true});
  };
  gauge("server.live", 1);
  gauge("server.concurrency", 2);
  gauge("cluster_manager.active_clusters", static_cast<std::uint64_t>(outbound_clusters) + 7);
  gauge("listener_manager.total_listeners_active", 4);
  out.push_back({cluster_stat("xds-grpc", "upstream_cx_total"), false, 1, true});
  out.push_back({cluster_stat("xds-grpc", "upstream_cx_connect_fail"), false, 0, false});
  out.push_back({envoy_stat("listener_manager.lds.update_success"), false, 1, true});
}

// Istio >= 1.24 passes 15020's query on to Envoy (istio/istio#52574); older agents drop it.
bool agent_passes_query(const std::string& istio_version) {
  int major = 0, minor = 0;
  return std::sscanf(istio_version.c_str(), "%d.%d", &major, &minor) == 2 &&
         (major > 1 || (major == 1 && minor >= 24));
}

// The agent's own registry (prefix istio_agent_, no _total suffix), as its exporter prints it.
std::string agent_metrics(double istiod_unreachable_seconds) {
  struct Metric {
    const char *name, *help, *labels;
    std::uint64_t value;
  };
  const Metric metrics[] = {
      {"istiod_connection_failures", "The total number of connection failures to Istiod", "", 0},
      // The dial does not block, so an unreachable istiod shows as stream errors.
      {"istiod_connection_terminations", "The total number of connection errors to Istiod",
       "{type=\"error\"}", whole(istiod_unreachable_seconds)},
      {"num_failed_outgoing_requests",
       "Number of failed outgoing requests (e.g. to a token exchange server, CA, etc.)",
       "{request_type=\"csr\"}", 0},
      {"num_outgoing_requests",
       "Number of total outgoing requests (e.g. to a token exchange server, CA, etc.)",
       "{request_type=\"csr\"}", 1},
  };
  std::string out;
  for (const auto& m : metrics) {
    std::string name = std::string("istio_agent_") + m.name;
    out += "# HELP " + name + " " + m.help + "\n# TYPE " + name + " counter\n" + name + m.labels +
           " " + std::to_string(m.value) + "\n";
  }
  return out;
}

} // namespace

TrafficPod Mesh::Impl::traffic_pod(const Value& pod, std::uint64_t resource_version) const {
  TrafficPod p;
  p.ns = string_at(pod, "metadata.namespace");
  p.name = string_at(pod, "metadata.name");
  p.uid = string_at(pod, "metadata.uid");
  p.resource_version = resource_version;
  p.labels = labels_of(pod);
  p.running = string_at(pod, "status.phase") == "Running";
  p.ready = pod_is_ready(pod);
  auto annotations = annotations_of(pod);
  p.sidecar = annotations.count("sidecar.istio.io/status") > 0;
  ProxyFacts f = facts_of(pod);
  p.workload = f.owner.substr(f.owner.rfind('/') + 1);
  p.revision = f.revision;
  if (!p.sidecar)
    return p;
  p.principal = dumps->spiffe_id(f);
  p.trust = {issuer_of(f.mode), trusts_citadel(f.mode, f.omitted), trusts_meshca(f.mode, f.omitted),
             dumps->trust_domains(f),
             identity_trust_domain(f.mode, scenario.trust_domain, scenario.meshca_trust_domain())};
  p.inclusion = StatsInclusion(annotations);
  return p;
}

void Mesh::Impl::observe_traffic(const Change& change) {
  if (change.plural == "pods") {
    if (change.kind == Change::Kind::deleted) {
      std::lock_guard lock(mu);
      traffic->pod_deleted(change.ns, change.name, change.resource_version, Clock::now());
      return;
    }
    auto doc = parse_json(change.object_json);
    if (!doc)
      return;
    TrafficPod pod = traffic_pod(*doc, change.resource_version);
    std::lock_guard lock(mu);
    traffic->pod_changed(std::move(pod), Clock::now());
  } else if (change.plural == "services") {
    std::optional<LabelMap> selector;
    if (change.kind != Change::Kind::deleted) {
      selector.emplace();
      auto doc = parse_json(change.object_json);
      const Value* s = doc ? find_path(*doc, "spec.selector") : nullptr;
      if (s && s->IsObject())
        for (const auto& m : s->GetObject())
          if (m.value.IsString())
            (*selector)[m.name.GetString()] = m.value.GetString();
    }
    std::lock_guard lock(mu);
    traffic->service_changed(change.ns, change.name, std::move(selector), Clock::now());
  }
}

std::vector<Stat> Mesh::Impl::envoy_stats(const ProxyFacts& facts) {
  std::vector<Stat> out;
  add_default_stats(out, scenario.outbound_clusters);
  std::lock_guard lock(mu);
  if (auto stats = traffic->stats(facts.ns, facts.pod_name, Clock::now()))
    for (const auto& sample : stats->counters)
      out.push_back({*sample.key, false, whole(sample.value), whole(sample.value) > 0});
  return out;
}

std::pair<int, std::string> Mesh::Impl::agent_status(const ProxyFacts& facts,
                                                     const std::string& path,
                                                     const std::string& query) {
  if (path == "healthz/ready")
    return {200, ""};
  if (path != "stats/prometheus" && path != "metrics")
    return {404, "404 page not found"};
  double unreachable = 0;
  {
    std::lock_guard lock(mu);
    if (auto stats = traffic->stats(facts.ns, facts.pod_name, Clock::now()))
      unreachable = stats->istiod_unreachable_seconds;
  }
  // Agent metrics first, then Envoy's (scraped through its port 15090), as handleStats writes.
  auto parsed = parse_stats_query(agent_passes_query(facts.istio_version) ? query : "", true);
  std::string envoy;
  if (auto* q = std::get_if<StatsQuery>(&parsed))
    envoy = render_stats(envoy_stats(facts), *q).body;
  return {200, agent_metrics(unreachable) + envoy};
}

} // namespace sim::mesh
