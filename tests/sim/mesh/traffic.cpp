#include "mesh/traffic.h"

#include "mesh/istio_labels.h"

#include <algorithm>

namespace sim::mesh {

namespace {

double seconds(Traffic::Time from, Traffic::Time to) {
  return to > from ? std::chrono::duration<double>(to - from).count() : 0.0;
}

bool selects(const LabelMap& selector, const LabelMap& labels) {
  if (selector.empty())
    return false; // a Service without a selector has no automatic endpoints
  return std::all_of(selector.begin(), selector.end(), [&](const auto& kv) {
    auto it = labels.find(kv.first);
    return it != labels.end() && it->second == kv.second;
  });
}

bool is_istiod(const TrafficPod* p) {
  if (!p || p->ns != "istio-system")
    return false;
  auto app = p->labels.find("app");
  return app != p->labels.end() && app->second == "istiod";
}

std::string istiod_revision(const TrafficPod& p) {
  auto rev = p.labels.find("istio.io/rev");
  return rev == p.labels.end() ? "default" : rev->second;
}

// Every ssl stat Envoy creates with a cluster or listener (the TLS context's stats).
constexpr const char* kSslStats[] = {"ssl.connection_error", "ssl.fail_verify_error",
                                     "ssl.fail_verify_no_cert", "ssl.fail_verify_san",
                                     "ssl.handshake"};
constexpr const char* kInbound = "0.0.0.0_15006";

// What one (client group, server group) pair adds per attempt, to the client and the server.
struct Effects {
  std::vector<StatKey> client, server;
};

Effects effects(const TrafficEdge& spec, const std::string& cluster, const TrafficPod& client,
                const TrafficPod& server) {
  Effects out;
  bool http = spec.protocol == TrafficProtocol::http;
  IstioCall call{false, spec.protocol, spec.to_service, spec.to_ns, "200", "-"};
  auto metrics = [&](std::vector<StatKey>& into, const IstioPeer& src, const IstioPeer& dst) {
    StatTags tags = istio_tags(src, dst, call);
    if (http) {
      into.push_back(istio_metric("istio_requests_total", tags));
      return;
    }
    into.push_back(istio_metric("istio_tcp_connections_opened_total", tags));
    into.push_back(istio_metric("istio_tcp_connections_closed_total", std::move(tags)));
  };
  IstioPeer src = istio_peer(client);
  if (!server.sidecar) { // plaintext (auto mTLS): no TLS, no peer identity, no server report
    IstioPeer dst = istio_peer(server);
    dst.principal = "unknown";
    metrics(out.client, src, dst);
    return out;
  }
  Handshake verdict = handshake(client.trust, server.trust);
  if (verdict == Handshake::ok) {
    metrics(out.client, src, istio_peer(server));
    out.client.push_back(cluster_stat(cluster, "ssl.handshake"));
    call.destination_reporter = true;
    metrics(out.server, src, istio_peer(server));
    out.server.push_back(listener_stat(kInbound, "ssl.handshake"));
    return out;
  }
  // Connect failures are retried (Istio's default: 2 retries), hence URX for http.
  call.response_code = "503";
  call.response_flags = http ? "UF,URX" : "UF";
  metrics(out.client, src, unknown_peer());
  // The side whose verification failed counts fail_verify_*, the other side gets the alert:
  // connection_error, which excludes verification failures (Envoy's drainErrorQueue).
  bool client_verified =
      verdict == Handshake::client_rejects_root || verdict == Handshake::client_rejects_san;
  const char* failure =
      verdict == Handshake::client_rejects_root || verdict == Handshake::server_rejects_root
          ? "ssl.fail_verify_error"
          : "ssl.fail_verify_san";
  out.client.push_back(cluster_stat(cluster, client_verified ? failure : "ssl.connection_error"));
  out.server.push_back(listener_stat(kInbound, client_verified ? "ssl.connection_error" : failure));
  return out;
}

std::string group_key(const TrafficPod& p) {
  IstioPeer peer = istio_peer(p);
  return peer.workload + "|" + peer.principal + "|" + peer.canonical_service + "|" +
         peer.canonical_revision + "|" + peer.app + "|" + peer.version + "|" +
         (p.sidecar ? p.trust.key() : "plain");
}

} // namespace

Traffic::Traffic(std::vector<TrafficEdge> edges, Time start) : start_(start) {
  for (auto& spec : edges) {
    Edge e;
    e.spec = std::move(spec);
    e.service_key = e.spec.to_ns + "/" + e.spec.to_service;
    e.cluster = "outbound|9080||" + e.spec.to_service + "." + e.spec.to_ns + ".svc.cluster.local";
    e.last = start;
    for (const char* stat : kSslStats) {
      e.cluster_ssl.push_back(intern(cluster_stat(e.cluster, stat)));
      e.listener_ssl.push_back(intern(listener_stat(kInbound, stat)));
    }
    edges_.push_back(std::move(e));
  }
}

bool Traffic::is_client(const Edge& e, const TrafficPod& p) const {
  return p.sidecar && p.ns == e.spec.from_ns && p.workload == e.spec.from_workload;
}

bool Traffic::is_server(const Edge& e, const TrafficPod& p) const {
  if (p.ns != e.spec.to_ns)
    return false;
  auto it = services_.find(e.service_key);
  return it != services_.end() && selects(it->second, p.labels);
}

bool Traffic::takes_part(const Edge& e, const TrafficPod* p) const {
  return p && active(*p) && (is_client(e, *p) || is_server(e, *p));
}

void Traffic::advance(Edge& e, Time now) {
  double dt = seconds(e.last, now);
  if (dt <= 0)
    return;
  for (auto& [value, rate] : e.rates)
    *value += rate * dt;
  e.last = now;
}

const StatKey* Traffic::intern(StatKey key) {
  auto it = keys_.find(key.name);
  if (it == keys_.end()) {
    std::string name = key.name;
    it = keys_.emplace(std::move(name), std::make_unique<const StatKey>(std::move(key))).first;
  }
  return it->second.get();
}

// Istio's metrics exist from their first increment, Envoy's from the cluster's creation.
double* Traffic::counter(PodState& pod, const StatKey* key) {
  auto it = pod.counters.find(key);
  if (it == pod.counters.end())
    it = pod.counters
             .emplace(key, Counter{0, pod.pod.inclusion.includes(key->name),
                                   key->name.rfind("istiocustom.", 0) == 0})
             .first;
  return it->second.included ? &it->second.value : nullptr;
}

void Traffic::rebuild(Edge& e) {
  e.rates.clear();
  // Pods that give the same labels and verdicts: effects are computed once per group pair.
  struct Group {
    const TrafficPod* sample = nullptr;
    std::vector<PodState*> members;
  };
  std::map<std::string, Group> clients, servers;
  std::size_t n_clients = 0, n_servers = 0;
  auto in_namespace = [this](const std::string& ns, auto&& visit) {
    std::string prefix = ns + "/";
    for (auto it = pods_.lower_bound(prefix);
         it != pods_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
      visit(it->second);
  };
  auto join = [](std::map<std::string, Group>& groups, PodState& s) {
    Group& g = groups[s.group];
    g.sample = &s.pod;
    g.members.push_back(&s);
  };
  in_namespace(e.spec.from_ns, [&](PodState& s) {
    if (active(s.pod) && is_client(e, s.pod)) {
      join(clients, s);
      ++n_clients;
    }
  });
  in_namespace(e.spec.to_ns, [&](PodState& s) {
    if (active(s.pod) && is_server(e, s.pod)) {
      join(servers, s);
      ++n_servers;
    }
  });
  // Every active pod of the edge has its TLS context's stats (zero until used).
  for (auto& [key, g] : clients)
    for (PodState* m : g.members)
      for (const StatKey* k : e.cluster_ssl)
        counter(*m, k);
  for (auto& [key, g] : servers)
    if (g.sample->sidecar)
      for (PodState* m : g.members)
        for (const StatKey* k : e.listener_ssl)
          counter(*m, k);
  if (n_clients == 0 || e.spec.rps <= 0)
    return;
  double per_client = e.spec.rps / static_cast<double>(n_clients);
  auto add = [&](PodState* member, const StatKey* key, double rate) {
    if (double* value = counter(*member, key))
      e.rates.emplace_back(value, rate);
  };
  if (n_servers == 0) { // no healthy upstream: Envoy answers 503 UH itself
    IstioCall call{false, e.spec.protocol, e.spec.to_service, e.spec.to_ns, "503", "UH"};
    for (auto& [key, g] : clients) {
      StatTags tags = istio_tags(istio_peer(*g.sample), unknown_peer(), call);
      std::vector<const StatKey*> keys;
      if (e.spec.protocol == TrafficProtocol::http) {
        keys.push_back(intern(istio_metric("istio_requests_total", tags)));
      } else {
        keys.push_back(intern(istio_metric("istio_tcp_connections_opened_total", tags)));
        keys.push_back(intern(istio_metric("istio_tcp_connections_closed_total", tags)));
      }
      for (PodState* m : g.members)
        for (const StatKey* k : keys)
          add(m, k, per_client);
    }
    return;
  }
  double per_pair = per_client / static_cast<double>(n_servers);
  for (auto& [ckey, c] : clients)
    for (auto& [skey, s] : servers) {
      auto cached = e.effects.find(ckey + "\n" + skey);
      if (cached == e.effects.end()) {
        Effects fx = effects(e.spec, e.cluster, *c.sample, *s.sample);
        std::pair<std::vector<const StatKey*>, std::vector<const StatKey*>> keys;
        for (auto& k : fx.client)
          keys.first.push_back(intern(std::move(k)));
        for (auto& k : fx.server)
          keys.second.push_back(intern(std::move(k)));
        cached = e.effects.emplace(ckey + "\n" + skey, std::move(keys)).first;
      }
      for (PodState* m : c.members)
        for (const StatKey* k : cached->second.first)
          add(m, k, per_pair * static_cast<double>(s.members.size()));
      for (PodState* m : s.members)
        for (const StatKey* k : cached->second.second)
          add(m, k, per_pair * static_cast<double>(c.members.size()));
    }
}

Traffic::Istiod& Traffic::istiod(const std::string& revision) {
  return istiods_.try_emplace(revision, Istiod{0, 0, start_}).first->second;
}

double Traffic::istiod_down(const std::string& revision, Time now) {
  Istiod& d = istiod(revision);
  return d.down_seconds + (d.ready == 0 ? seconds(d.last, now) : 0.0);
}

void Traffic::istiod_changed(const TrafficPod* before, const TrafficPod* after, Time now) {
  auto settle = [&](const std::string& revision, int delta) {
    Istiod& d = istiod(revision);
    d.down_seconds = istiod_down(revision, now);
    d.last = now;
    d.ready += delta;
  };
  if (is_istiod(before) && active(*before))
    settle(istiod_revision(*before), -1);
  if (is_istiod(after) && active(*after))
    settle(istiod_revision(*after), +1);
}

void Traffic::apply(const std::string& id, std::optional<TrafficPod> after, Time now) {
  auto it = pods_.find(id);
  const TrafficPod* before = it == pods_.end() ? nullptr : &it->second.pod;
  const TrafficPod* next = after ? &*after : nullptr;
  std::vector<Edge*> touched;
  for (auto& e : edges_)
    if (takes_part(e, before) || takes_part(e, next)) {
      advance(e, now);
      touched.push_back(&e);
    }
  istiod_changed(before, next, now);
  if (after) {
    if (it == pods_.end())
      it = pods_.emplace(id, PodState{}).first;
    PodState& state = it->second;
    state.pod = std::move(*after);
    state.group = group_key(state.pod);
    if (!state.started && state.pod.sidecar && state.pod.running) {
      state.started = true;
      state.istiod_down_at_start = istiod_down(state.pod.revision, now);
    }
  } else if (it != pods_.end()) {
    pods_.erase(it);
  }
  for (Edge* e : touched)
    rebuild(*e);
}

void Traffic::pod_changed(TrafficPod pod, Time now) {
  std::string id = pod.ns + "/" + pod.name;
  if (auto d = deleted_.find(id); d != deleted_.end()) {
    if (d->second >= pod.resource_version)
      return; // a change that was observed after the pod's deletion
    deleted_.erase(d);
  }
  auto it = pods_.find(id);
  if (it != pods_.end()) {
    if (it->second.pod.resource_version >= pod.resource_version)
      return;
    if (it->second.pod.uid != pod.uid)
      apply(id, std::nullopt, now); // the same name, a new pod: it starts from zero
  }
  apply(id, std::move(pod), now);
}

void Traffic::pod_deleted(const std::string& ns, const std::string& name,
                          std::uint64_t resource_version, Time now) {
  std::string id = ns + "/" + name;
  auto it = pods_.find(id);
  if (it != pods_.end() && it->second.pod.resource_version > resource_version)
    return;
  // Tombstones only guard against late observations; keep their number bounded.
  if (deleted_.size() > 100000)
    deleted_.clear();
  deleted_[id] = resource_version;
  apply(id, std::nullopt, now);
}

void Traffic::service_changed(const std::string& ns, const std::string& name,
                              std::optional<LabelMap> selector, Time now) {
  std::string key = ns + "/" + name;
  std::vector<Edge*> touched;
  for (auto& e : edges_)
    if (e.service_key == key) {
      advance(e, now);
      touched.push_back(&e);
    }
  if (touched.empty())
    return;
  if (selector)
    services_[key] = std::move(*selector);
  else
    services_.erase(key);
  for (Edge* e : touched)
    rebuild(*e);
}

std::optional<Traffic::PodStats> Traffic::stats(const std::string& ns, const std::string& name,
                                                Time now) {
  auto it = pods_.find(ns + "/" + name);
  if (it == pods_.end() || !it->second.pod.sidecar)
    return std::nullopt;
  for (auto& e : edges_)
    if (takes_part(e, &it->second.pod))
      advance(e, now);
  PodStats out;
  for (const auto& [key, c] : it->second.counters)
    if (c.included && (!c.on_first_increment || c.value >= 1))
      out.counters.push_back({key, c.value});
  if (it->second.started)
    out.istiod_unreachable_seconds =
        istiod_down(it->second.pod.revision, now) - it->second.istiod_down_at_start;
  return out;
}

} // namespace sim::mesh
