// The traffic model on its own, with a fake clock: rates, splits, TLS verdicts per CA mode pair,
// pods joining and leaving, istiod readiness.
#include "mesh/traffic.h"

#include <doctest/doctest.h>

using namespace sim::mesh;
using namespace std::chrono_literals;

namespace {

const std::string kMeshTd = "p.svc.id.goog";
const Traffic::Time t0{};
using Annotations = std::map<std::string, std::string>;

PeerTrust trust_of(CaMode mode) {
  return {issuer_of(mode), trusts_citadel(mode), trusts_meshca(mode),
          trust_domains(mode, "cluster.local", kMeshTd, {}),
          identity_trust_domain(mode, "cluster.local", kMeshTd)};
}

std::uint64_t next_rv = 1;

TrafficPod pod(const std::string& ns, const std::string& name, const std::string& workload,
               CaMode mode = CaMode::citadel, std::map<std::string, std::string> annotations = {}) {
  TrafficPod p;
  p.ns = ns;
  p.name = name;
  p.uid = name + "-uid";
  p.resource_version = ++next_rv;
  p.labels = {{"app", workload}, {"version", "v1"}};
  p.workload = workload;
  p.trust = trust_of(mode);
  p.principal = "spiffe://" + p.trust.identity_domain + "/ns/" + ns + "/sa/" + workload;
  p.revision = "rev";
  p.inclusion = StatsInclusion(annotations);
  p.sidecar = p.running = p.ready = true;
  return p;
}

// Sum of the pod's samples of `prom_name` whose tags include every one of `tags`.
double value(Traffic& t, const std::string& ns, const std::string& name,
             const std::string& prom_name, const StatTags& tags, Traffic::Time now) {
  auto stats = t.stats(ns, name, now);
  REQUIRE(stats);
  double sum = 0;
  for (const auto& s : stats->counters) {
    if (s.key->prom_name != prom_name)
      continue;
    bool match = true;
    for (const auto& tag : tags)
      match = match && std::find(s.key->tags.begin(), s.key->tags.end(), tag) != s.key->tags.end();
    if (match)
      sum += s.value;
  }
  return sum;
}

Traffic two_namespaces(double rps, TrafficProtocol protocol = TrafficProtocol::http) {
  Traffic t({{"fe", "sleep", "be", "httpbin", protocol, rps}}, t0);
  t.service_changed("be", "httpbin", LabelMap{{"app", "httpbin"}}, t0);
  return t;
}

const char* kRequests = "istio_requests_total";

} // namespace

TEST_CASE("traffic: rps split over client pods and server pods, integrated lazily") {
  Traffic t = two_namespaces(20);
  t.pod_changed(pod("fe", "sleep-1", "sleep"), t0);
  t.pod_changed(pod("fe", "sleep-2", "sleep"), t0);
  t.pod_changed(pod("be", "httpbin-1", "httpbin"), t0);
  t.pod_changed(pod("be", "httpbin-2", "httpbin"), t0);
  // 20 rps over 2 clients: 10 each; each server gets half of each client's.
  CHECK(value(t, "fe", "sleep-1", kRequests, {{"reporter", "source"}, {"response_code", "200"}},
              t0 + 3s) == doctest::Approx(30));
  CHECK(value(t, "be", "httpbin-1", kRequests, {{"reporter", "destination"}}, t0 + 3s) ==
        doctest::Approx(30));
  CHECK(value(t, "fe", "sleep-2", kRequests, {}, t0 + 10s) == doctest::Approx(100));
  // A third client from t=10 s: from then on each client sends 20/3.
  t.pod_changed(pod("fe", "sleep-3", "sleep"), t0 + 10s);
  // Istio's metrics appear with their first whole request.
  CHECK(value(t, "fe", "sleep-3", kRequests, {}, t0 + 10s + 10ms) == 0);
  auto early = t.stats("fe", "sleep-3", t0 + 10s + 10ms);
  for (const auto& s : early->counters)
    CHECK(s.key->prom_name != kRequests);
  CHECK(value(t, "fe", "sleep-1", kRequests, {}, t0 + 13s) == doctest::Approx(120));
  CHECK(value(t, "fe", "sleep-3", kRequests, {}, t0 + 13s) == doctest::Approx(20));
  CHECK(value(t, "be", "httpbin-2", kRequests, {}, t0 + 13s) == doctest::Approx(130));
}

TEST_CASE("traffic: labels of a successful call on both sides") {
  Traffic t = two_namespaces(10);
  t.pod_changed(pod("fe", "sleep-1", "sleep"), t0);
  t.pod_changed(pod("be", "httpbin-1", "httpbin"), t0);
  auto stats = t.stats("fe", "sleep-1", t0 + 1s);
  const StatKey* client = nullptr;
  for (const auto& s : stats->counters)
    if (s.key->prom_name == kRequests)
      client = s.key;
  REQUIRE(client);
  auto tag = [&](const char* name) {
    for (const auto& [k, v] : client->tags)
      if (k == name)
        return v;
    return std::string("(missing)");
  };
  CHECK(tag("reporter") == "source");
  CHECK(tag("source_workload") == "sleep");
  CHECK(tag("source_workload_namespace") == "fe");
  CHECK(tag("source_principal") == "spiffe://cluster.local/ns/fe/sa/sleep");
  CHECK(tag("source_canonical_service") == "sleep");
  CHECK(tag("destination_service") == "httpbin.be.svc.cluster.local");
  CHECK(tag("destination_service_name") == "httpbin");
  CHECK(tag("destination_service_namespace") == "be");
  CHECK(tag("destination_workload") == "httpbin");
  CHECK(tag("destination_workload_namespace") == "be");
  CHECK(tag("destination_principal") == "spiffe://cluster.local/ns/be/sa/httpbin");
  CHECK(tag("request_protocol") == "http");
  CHECK(tag("response_code") == "200");
  CHECK(tag("response_flags") == "-");
  CHECK(tag("connection_security_policy") == "unknown");
  CHECK(client->name.rfind(
            "istiocustom.istio_requests_total.reporter.source.source_workload.sleep.", 0) == 0);
  CHECK(value(t, "be", "httpbin-1", kRequests,
              {{"reporter", "destination"}, {"connection_security_policy", "mutual_tls"}},
              t0 + 1s) == doctest::Approx(10));
}

TEST_CASE("traffic: TLS verdicts per CA mode pair") {
  struct Pair {
    CaMode client, server;
    Handshake verdict;
  };
  const Pair pairs[] = {
      {CaMode::citadel, CaMode::citadel, Handshake::ok},
      {CaMode::citadel, CaMode::citadel_meshca_root, Handshake::ok},
      {CaMode::citadel, CaMode::meshca_migration, Handshake::client_rejects_root},
      {CaMode::citadel_meshca_root, CaMode::meshca_migration, Handshake::ok},
      {CaMode::meshca_migration, CaMode::citadel_meshca_root, Handshake::ok},
      {CaMode::meshca_migration, CaMode::citadel, Handshake::server_rejects_root},
      {CaMode::meshca_migration, CaMode::meshca, Handshake::ok},
      {CaMode::meshca, CaMode::citadel_meshca_root, Handshake::client_rejects_root},
      {CaMode::citadel_meshca_root, CaMode::meshca, Handshake::server_rejects_root},
      {CaMode::meshca_final, CaMode::meshca_migration, Handshake::ok},
  };
  for (const auto& p : pairs) {
    INFO(ca_mode_name(p.client) << " -> " << ca_mode_name(p.server));
    CHECK(handshake(trust_of(p.client), trust_of(p.server)) == p.verdict);
  }
  // A Mesh CA migration install without trustDomainAliases no longer accepts cluster.local.
  Omissions no_aliases;
  no_aliases.add(CaSetting::trust_domain_aliases);
  PeerTrust strict = trust_of(CaMode::meshca_migration);
  strict.trust_domains =
      trust_domains(CaMode::meshca_migration, "cluster.local", kMeshTd, {}, no_aliases);
  CHECK(handshake(strict, trust_of(CaMode::citadel_meshca_root)) == Handshake::client_rejects_san);
  CHECK(handshake(trust_of(CaMode::citadel_meshca_root), strict) == Handshake::server_rejects_san);
}

TEST_CASE("traffic: a failing pair counts 503 UF,URX with unknown peer on the client only") {
  std::map<std::string, std::string> ssl = {{"sidecar.istio.io/statsInclusionRegexps", ".*ssl.*"}};
  Traffic t = two_namespaces(10);
  t.pod_changed(pod("fe", "sleep-1", "sleep", CaMode::citadel, ssl), t0);
  t.pod_changed(pod("be", "httpbin-1", "httpbin", CaMode::meshca_migration, ssl), t0);
  Traffic::Time now = t0 + 2s;
  CHECK(value(t, "fe", "sleep-1", kRequests,
              {{"response_code", "503"},
               {"response_flags", "UF,URX"},
               {"destination_workload", "unknown"},
               {"destination_workload_namespace", "unknown"},
               {"destination_principal", "unknown"}},
              now) == doctest::Approx(20));
  CHECK(value(t, "fe", "sleep-1", kRequests, {{"response_code", "200"}}, now) == 0);
  CHECK(value(t, "be", "httpbin-1", kRequests, {}, now) == 0);
  std::string cluster = "outbound|9080||httpbin.be.svc.cluster.local";
  CHECK(value(t, "fe", "sleep-1", "envoy_cluster_ssl_fail_verify_error",
              {{"cluster_name", cluster}}, now) == doctest::Approx(20));
  // Verification failures are not connection errors on the side that verified.
  CHECK(value(t, "fe", "sleep-1", "envoy_cluster_ssl_connection_error", {}, now) == 0);
  CHECK(value(t, "fe", "sleep-1", "envoy_cluster_ssl_handshake", {}, now) == 0);
  CHECK(value(t, "be", "httpbin-1", "envoy_listener_ssl_connection_error",
              {{"listener_address", "0.0.0.0_15006"}}, now) == doctest::Approx(20));
  CHECK(value(t, "be", "httpbin-1", "envoy_listener_ssl_fail_verify_error", {}, now) == 0);

  // The server is restarted on a Citadel-issued revision: from then on the calls succeed.
  t.pod_deleted("be", "httpbin-1", ++next_rv, now);
  t.pod_changed(pod("be", "httpbin-2", "httpbin", CaMode::citadel_meshca_root, ssl), now);
  CHECK(value(t, "fe", "sleep-1", kRequests, {{"response_code", "503"}}, now + 5s) ==
        doctest::Approx(20));
  CHECK(value(t, "fe", "sleep-1", kRequests, {{"response_code", "200"}}, now + 5s) ==
        doctest::Approx(50));
  CHECK(value(t, "fe", "sleep-1", "envoy_cluster_ssl_handshake", {}, now + 5s) ==
        doctest::Approx(50));
  CHECK(value(t, "be", "httpbin-2", "envoy_listener_ssl_handshake", {}, now + 5s) ==
        doctest::Approx(50));
  CHECK_FALSE(t.stats("be", "httpbin-1", now + 5s));
}

TEST_CASE("traffic: the server rejecting the client shows on the server's listener") {
  std::map<std::string, std::string> ssl = {
      {"sidecar.istio.io/statsInclusionSuffixes", "ssl.fail_verify_error,ssl.connection_error"}};
  Traffic t = two_namespaces(4, TrafficProtocol::tcp);
  t.pod_changed(pod("fe", "sleep-1", "sleep", CaMode::meshca_migration, ssl), t0);
  t.pod_changed(pod("be", "httpbin-1", "httpbin", CaMode::citadel, ssl), t0);
  CHECK(value(t, "be", "httpbin-1", "envoy_listener_ssl_fail_verify_error", {}, t0 + 1s) ==
        doctest::Approx(4));
  CHECK(value(t, "fe", "sleep-1", "envoy_cluster_ssl_connection_error", {}, t0 + 1s) ==
        doctest::Approx(4));
  CHECK(value(t, "fe", "sleep-1", "envoy_cluster_ssl_fail_verify_error", {}, t0 + 1s) == 0);
  CHECK(value(t, "fe", "sleep-1", "istio_tcp_connections_opened_total", {{"response_flags", "UF"}},
              t0 + 1s) == doctest::Approx(4));
  CHECK(value(t, "fe", "sleep-1", "istio_tcp_connections_closed_total", {{"response_flags", "UF"}},
              t0 + 1s) == doctest::Approx(4));
}

TEST_CASE("traffic: TLS counters only with the pod's stats inclusion") {
  Traffic t = two_namespaces(10);
  t.pod_changed(pod("fe", "sleep-1", "sleep"), t0);
  t.pod_changed(pod("fe", "sleep-2", "sleep", CaMode::citadel,
                    {{"proxy.istio.io/config",
                      "proxyStatsMatcher:\n  inclusionRegexps:\n  - \".*ssl.*\"\n"}}),
                t0);
  t.pod_changed(pod("be", "httpbin-1", "httpbin"), t0);
  auto names = [&](const std::string& name) {
    std::string all;
    auto stats = t.stats("fe", name, t0 + 1s);
    for (const auto& s : stats->counters)
      all += s.key->name + "\n";
    return all;
  };
  CHECK(names("sleep-1").find(".ssl.") == std::string::npos);
  CHECK(
      names("sleep-2").find("cluster.outbound|9080||httpbin.be.svc.cluster.local.ssl.handshake") !=
      std::string::npos);
  // Created with the cluster, zero until used.
  CHECK(names("sleep-2").find(".ssl.fail_verify_san") != std::string::npos);
  CHECK(value(t, "fe", "sleep-2", "envoy_cluster_ssl_handshake", {}, t0 + 1s) ==
        doctest::Approx(5));
}

TEST_CASE("traffic: stats inclusion follows Istio's bootstrap") {
  StatsInclusion defaults;
  CHECK(defaults.includes("server.live"));
  CHECK(defaults.includes("cluster.xds-grpc.upstream_cx_total"));
  CHECK(defaults.includes("istiocustom.istio_requests_total.reporter.source"));
  CHECK_FALSE(defaults.includes("cluster.outbound|9080||a.b.svc.cluster.local.ssl.handshake"));
  CHECK_FALSE(defaults.includes("listener.0.0.0.0_15006.ssl.handshake"));
  // safe_regex is a full match: "ssl" alone matches nothing.
  CHECK_FALSE(StatsInclusion(Annotations{{"sidecar.istio.io/statsInclusionRegexps", "ssl"}})
                  .includes("listener.0.0.0.0_15006.ssl.handshake"));
  CHECK(StatsInclusion(
            Annotations{{"sidecar.istio.io/statsInclusionPrefixes", "listener,cluster.outbound"}})
            .includes("listener.0.0.0.0_15006.ssl.handshake"));
  CHECK(StatsInclusion(
            Annotations{{"proxy.istio.io/config",
                         R"({"proxyStatsMatcher":{"inclusionSuffixes":["ssl.handshake"]}})"}})
            .includes("listener.0.0.0.0_15006.ssl.handshake"));
  CHECK(StatsInclusion(
            Annotations{{"proxy.istio.io/config",
                         "concurrency: 2\nproxyStatsMatcher:\n  inclusionRegexps: ['.*ssl.*']\n"}})
            .includes("listener.0.0.0.0_15006.ssl.handshake"));
  // The annotation wins over proxy.istio.io/config for the same kind.
  CHECK_FALSE(
      StatsInclusion(Annotations{{"sidecar.istio.io/statsInclusionRegexps", ".*circuit.*"},
                                 {"proxy.istio.io/config",
                                  "proxyStatsMatcher:\n  inclusionRegexps:\n  - .*ssl.*\n"}})
          .includes("listener.0.0.0.0_15006.ssl.handshake"));
}

TEST_CASE("traffic: new pods start at zero, not-ready and deleted pods drop out") {
  Traffic t = two_namespaces(10);
  t.pod_changed(pod("fe", "sleep-1", "sleep"), t0);
  t.pod_changed(pod("be", "httpbin-1", "httpbin"), t0);
  CHECK(value(t, "fe", "sleep-1", kRequests, {}, t0 + 4s) == doctest::Approx(40));
  // The same name, a new pod (StatefulSet-style): from zero.
  TrafficPod again = pod("fe", "sleep-1", "sleep");
  again.uid = "another-uid";
  t.pod_changed(again, t0 + 4s);
  CHECK(value(t, "fe", "sleep-1", kRequests, {}, t0 + 5s) == doctest::Approx(10));
  // The server turns not ready: no endpoints, Envoy answers 503 UH itself.
  TrafficPod unready = pod("be", "httpbin-1", "httpbin");
  unready.ready = false;
  t.pod_changed(unready, t0 + 5s);
  CHECK(value(t, "fe", "sleep-1", kRequests, {{"response_flags", "UH"}}, t0 + 7s) ==
        doctest::Approx(20));
  CHECK(value(t, "be", "httpbin-1", kRequests, {}, t0 + 7s) == doctest::Approx(50));
  // A change observed late (older resourceVersion) is ignored.
  TrafficPod stale = pod("be", "httpbin-1", "httpbin");
  stale.resource_version = 1;
  t.pod_changed(stale, t0 + 7s);
  CHECK(value(t, "be", "httpbin-1", kRequests, {}, t0 + 9s) == doctest::Approx(50));
  t.pod_deleted("be", "httpbin-1", ++next_rv, t0 + 9s);
  CHECK_FALSE(t.stats("be", "httpbin-1", t0 + 9s));
  t.pod_changed(stale, t0 + 9s); // a change observed after the delete does not resurrect it
  CHECK_FALSE(t.stats("be", "httpbin-1", t0 + 9s));
}

TEST_CASE("traffic: istiod readiness per revision drives the agent's failures") {
  Traffic t({}, t0);
  TrafficPod istiod;
  istiod.ns = "istio-system";
  istiod.name = "istiod-rev-1";
  istiod.uid = "u";
  istiod.resource_version = ++next_rv;
  istiod.labels = {{"app", "istiod"}, {"istio.io/rev", "rev"}};
  istiod.running = istiod.ready = true;
  t.pod_changed(istiod, t0);
  t.pod_changed(pod("fe", "sleep-1", "sleep"), t0 + 1s);
  CHECK(t.stats("fe", "sleep-1", t0 + 5s)->istiod_unreachable_seconds == 0);
  t.pod_deleted("istio-system", "istiod-rev-1", ++next_rv, t0 + 5s);
  CHECK(t.stats("fe", "sleep-1", t0 + 8s)->istiod_unreachable_seconds == doctest::Approx(3));
  istiod.resource_version = ++next_rv;
  istiod.uid = "u2";
  t.pod_changed(istiod, t0 + 8s);
  CHECK(t.stats("fe", "sleep-1", t0 + 20s)->istiod_unreachable_seconds == doctest::Approx(3));
  // A revision without any istiod pod is unreachable from the start.
  TrafficPod orphan = pod("fe", "orphan-1", "orphan");
  orphan.revision = "gone";
  t.pod_changed(orphan, t0 + 20s);
  CHECK(t.stats("fe", "orphan-1", t0 + 22s)->istiod_unreachable_seconds == doctest::Approx(2));
}
