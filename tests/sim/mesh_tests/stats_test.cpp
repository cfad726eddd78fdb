// The traffic model through `pilot-agent request`: Envoy's /stats formats, filter and usedonly,
// the ssl counters of the opted-in pod, trust changes after a relabel, the agent's endpoint.
#include "mesh_test_support.h"

#include <algorithm>
#include <cmath>
#include <doctest/doctest.h>
#include <regex>
#include <set>
#include <sstream>

using namespace sim;
using namespace sim::mesh;
using namespace sim::mesh::test;
using Clock = std::chrono::steady_clock;

namespace {

std::string first_pod(const Store& store, const std::string& ns) {
  return string_at(pods(store, ns)[0], "metadata.name");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      out.push_back(line);
  return out;
}

// Sum of the Prometheus samples of `metric` whose line contains every one of `parts`.
double sum(const std::string& text, const std::string& metric,
           const std::vector<std::string>& parts = {}) {
  double total = 0;
  for (const auto& line : lines_of(text)) {
    if (line.rfind(metric + "{", 0) != 0 && line.rfind(metric + " ", 0) != 0)
      continue;
    bool all = true;
    for (const auto& p : parts)
      all = all && line.find(p) != std::string::npos;
    if (all)
      total += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

// Every line is `# TYPE name counter|gauge`, `# HELP ...` or `name{l="v",...} integer`, and each
// sample's name had its # TYPE first.
void check_prometheus(const std::string& text) {
  static const std::regex sample(
      R"re(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? [0-9]+)re");
  static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge))");
  std::set<std::string> typed;
  for (const auto& line : lines_of(text)) {
    INFO(line);
    std::smatch m;
    if (line.rfind("# HELP ", 0) == 0)
      continue;
    if (std::regex_match(line, m, type)) {
      CHECK(typed.insert(m[1]).second);
      continue;
    }
    REQUIRE(std::regex_match(line, m, sample));
    CHECK(typed.count(m[1]));
  }
}

ExecResult agent(Mesh& mesh, const std::string& ns, const std::string& pod,
                 std::vector<std::string> args) {
  std::vector<std::string> command = {"pilot-agent", "request"};
  command.insert(command.end(), args.begin(), args.end());
  return mesh.exec({ns, pod, "istio-proxy", command});
}

void set_replicas(Store& store, const std::string& ns, const std::string& name, int replicas) {
  auto result = store.update(
      "deployments", ns, name,
      [&](rapidjson::Document& doc) {
        set_member(ensure_object(doc, "spec", doc.GetAllocator()), "replicas",
                   rapidjson::Value(replicas), doc.GetAllocator());
        return true;
      },
      Origin::client);
  REQUIRE(std::holds_alternative<std::string>(result));
}

} // namespace

TEST_CASE("stats: counters grow with time and rps, Prometheus text parses") {
  auto before = Clock::now();
  auto m = load("traffic.json");
  auto loaded = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  std::string sleep = first_pod(*m.store, "frontend");
  auto start = Clock::now();
  auto result = agent_get(*m.mesh, "frontend", sleep, "stats/prometheus");
  auto end = Clock::now();
  REQUIRE(result.exit_code == 0);
  check_prometheus(result.out);
  auto seconds = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  // sleep x2 at 20 rps to httpbin, 10 connections/s to mysql: 10 and 5 per pod per second.
  double http =
      sum(result.out, "istio_requests_total",
          {R"(reporter="source")", R"(destination_service="httpbin.backend.svc.cluster.local")",
           R"(response_code="200")", R"(response_flags="-")"});
  CHECK(http >= std::floor(10 * seconds(loaded, start)) - 1);
  CHECK(http <= 10 * seconds(before, end));
  double tcp = sum(result.out, "istio_tcp_connections_opened_total",
                   {R"(destination_service_name="mysql")", R"(request_protocol="tcp")"});
  CHECK(tcp >= std::floor(5 * seconds(loaded, start)) - 1);
  CHECK(tcp <= 5 * seconds(before, end));
  CHECK(sum(result.out, "istio_requests_total", {R"(response_code="503")"}) == 0);
  CHECK(result.out.find("# TYPE istio_requests_total counter\n") != std::string::npos);
  CHECK(result.out.find("envoy_server_live 1\n") != std::string::npos);
  CHECK(result.out.find(R"(envoy_cluster_upstream_cx_total{cluster_name="xds-grpc"} 1)") !=
        std::string::npos);
  CHECK(result.out.find("ssl") == std::string::npos); // not in Istio's default inclusion
  // Servers report as destination, over mutual TLS.
  auto server = agent_get(*m.mesh, "backend", first_pod(*m.store, "backend"), "stats/prometheus");
  CHECK(sum(server.out, "istio_requests_total",
            {R"(reporter="destination")", R"(source_workload="sleep")",
             R"(connection_security_policy="mutual_tls")"}) > 0);
  // Later reads only grow.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto again = agent_get(*m.mesh, "frontend", sleep, "stats?format=prometheus");
  CHECK(sum(again.out, "istio_requests_total", {R"(response_code="200")"}) >= http + 2);
  // The text and JSON formats name the same stats with their full dotted names.
  auto text = agent_get(*m.mesh, "frontend", sleep, "stats");
  CHECK(text.out.find("istiocustom.istio_requests_total.reporter.source.source_workload.sleep.") !=
        std::string::npos);
  CHECK(text.out.find("server.live: 1\n") != std::string::npos);
  auto json = agent_get(*m.mesh, "frontend", sleep, "stats?format=json");
  auto doc = parse_json(json.out);
  REQUIRE(doc);
  CHECK((*doc)["stats"].IsArray());
}

TEST_CASE("stats: filter and usedonly, ssl counters only on the opted-in pod") {
  auto m = load("traffic.json");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::string probe = first_pod(*m.store, "tls-stats");
  auto all = agent_get(*m.mesh, "tls-stats", probe, "stats");
  CHECK(all.out.find("cluster.outbound|9080||httpbin.backend.svc.cluster.local.ssl.handshake: ") !=
        std::string::npos);
  CHECK(all.out.find("fail_verify_san: 0\n") != std::string::npos);
  auto used = agent_get(*m.mesh, "tls-stats", probe, "stats?usedonly");
  CHECK(used.out.find("fail_verify_san") == std::string::npos);
  CHECK(used.out.find(".ssl.handshake: ") != std::string::npos);
  // Envoy's filter is an unanchored search over the full dotted name (URL-encoded here).
  auto filtered = agent_get(*m.mesh, "tls-stats", probe, "stats?filter=ssl%5C.handshake%24");
  auto lines = lines_of(filtered.out);
  CHECK(lines.size() == 1);
  for (const auto& line : lines)
    CHECK(line.find(".ssl.handshake: ") != std::string::npos);
  auto prom = agent_get(*m.mesh, "tls-stats", probe,
                        "stats/prometheus?usedonly&filter=istio_requests_total%7Cssl");
  check_prometheus(prom.out);
  CHECK(sum(prom.out, "envoy_cluster_ssl_handshake",
            {R"(cluster_name="outbound|9080||httpbin.backend.svc.cluster.local")"}) > 0);
  CHECK(sum(prom.out, "istio_requests_total") > 0);
  CHECK(prom.out.find("envoy_server_live") == std::string::npos);
  CHECK(prom.out.find("fail_verify") == std::string::npos);
  // A Prometheus-style name is not what the filter sees.
  CHECK(lines_of(agent_get(*m.mesh, "tls-stats", probe, "stats?filter=envoy_cluster_ssl").out)
            .empty());
  auto bad = agent_get(*m.mesh, "tls-stats", probe, "stats?filter=(");
  CHECK(bad.exit_code == 255);
  CHECK(bad.err.find("received unsuccessful status code 400") != std::string::npos);
  // The inbound listener's ssl counters on a server pod that opted in? httpbin did not.
  auto server = agent_get(*m.mesh, "backend", first_pod(*m.store, "backend"), "stats");
  CHECK(server.out.find(".ssl.") == std::string::npos);
}

TEST_CASE("stats: relabelled to the Mesh CA revision, Citadel-only clients fail") {
  auto m = load("traffic.json");
  m.mesh->start();
  set_namespace_labels(*m.store, "backend", {{"istio.io/rev", "rev-meshca"}});
  restart(*m.store, "deployments", "backend", "httpbin");
  REQUIRE(eventually([&] {
    auto p = pods(*m.store, "backend");
    return p.size() == 2 && std::all_of(p.begin(), p.end(), [](const rapidjson::Value& pod) {
             return annotation(pod, "istio.io/rev") == "rev-meshca" &&
                    string_at(pod, "status.phase") == "Running";
           });
  }));
  std::string sleep = first_pod(*m.store, "frontend");
  auto before = agent_get(*m.mesh, "frontend", sleep, "stats/prometheus");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto after = agent_get(*m.mesh, "frontend", sleep, "stats/prometheus");
  std::vector<std::string> failed = {R"(destination_service="httpbin.backend.svc.cluster.local")",
                                     R"(response_code="503")", R"(response_flags="UF,URX")",
                                     R"(destination_workload="unknown")",
                                     R"(destination_principal="unknown")"};
  CHECK(sum(after.out, "istio_requests_total", failed) >=
        sum(before.out, "istio_requests_total", failed) + 2);
  std::vector<std::string> ok = {R"(destination_service_name="httpbin")", R"(response_code="200")"};
  CHECK(sum(after.out, "istio_requests_total", ok) == sum(before.out, "istio_requests_total", ok));
  // mysql is untouched.
  CHECK(sum(after.out, "istio_tcp_connections_opened_total", {R"(response_flags="-")"}) >
        sum(before.out, "istio_tcp_connections_opened_total", {R"(response_flags="-")"}));
  auto probe = agent_get(*m.mesh, "tls-stats", first_pod(*m.store, "tls-stats"),
                         "stats/prometheus?filter=fail_verify_error");
  CHECK(sum(probe.out, "envoy_cluster_ssl_fail_verify_error") > 0);
  // The new servers see the handshake fail; they started from zero.
  auto server = agent_get(*m.mesh, "backend", first_pod(*m.store, "backend"), "stats/prometheus");
  CHECK(sum(server.out, "istio_requests_total", {R"(reporter="destination")"}) == 0);
}

TEST_CASE("stats: the agent's merged endpoint on 15020 and istiod going away") {
  auto m = load("traffic.json");
  m.mesh->start();
  std::string sleep = first_pod(*m.store, "frontend");
  auto merged =
      agent(*m.mesh, "frontend", sleep, {"--debug-port", "15020", "GET", "stats/prometheus"});
  REQUIRE(merged.exit_code == 0);
  check_prometheus(merged.out);
  CHECK(merged.out.rfind("# HELP istio_agent_", 0) == 0); // agent metrics come first
  CHECK(merged.out.find("istio_agent_istiod_connection_terminations{type=\"error\"} 0\n") !=
        std::string::npos);
  CHECK(merged.out.find("istio_agent_istiod_connection_failures 0\n") != std::string::npos);
  CHECK(merged.out.find("envoy_server_live 1\n") != std::string::npos);
  // A 1.19 agent drops the query: the Envoy part is not filtered.
  auto query = agent(*m.mesh, "frontend", sleep,
                     {"--debug-port=15020", "GET", "stats/prometheus?filter=server"});
  CHECK(query.out.find("envoy_cluster_manager_active_clusters") != std::string::npos);
  auto refused = agent(*m.mesh, "frontend", sleep, {"--debug-port", "15090", "GET", "stats"});
  CHECK(refused.exit_code == 255);
  CHECK(refused.err ==
        "Error: debug port 15090 is not in allowed list [15000 15004 15020 15021]\n");
  CHECK(agent(*m.mesh, "frontend", sleep, {"--debug-port", "15021", "GET", "healthz/ready"})
            .exit_code == 0);

  set_replicas(*m.store, "istio-system", "istiod-rev-citadel", 0);
  REQUIRE(eventually([&] { return pods(*m.store, "istio-system", "istiod-rev-citadel").empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto down =
      agent(*m.mesh, "frontend", sleep, {"--debug-port", "15020", "GET", "stats/prometheus"});
  CHECK(sum(down.out, "istio_agent_istiod_connection_terminations", {R"(type="error")"}) >= 1);
}

TEST_CASE("stats: mixed-trust edges fail where the trust relation says") {
  auto m = load("mixed-trust.json");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto stats = [&](const std::string& ns) {
    return agent_get(*m.mesh, ns, first_pod(*m.store, ns), "stats/prometheus").out;
  };
  auto calls = [&](const std::string& text, const std::string& service, const char* code) {
    return sum(text, "istio_requests_total",
               {"destination_service_name=\"" + service + "\"", code});
  };
  std::string a = stats("ns-citadel"), b = stats("ns-mcroot"), c = stats("ns-migration"),
              d = stats("ns-meshca");
  CHECK(calls(a, "app-b", R"(response_code="200")") > 0);
  CHECK(calls(a, "app-b", R"(response_code="503")") == 0);
  CHECK(calls(a, "app-c", R"(response_code="503")") > 0);
  CHECK(calls(a, "app-c", R"(response_code="200")") == 0);
  CHECK(calls(b, "app-c", R"(response_code="200")") > 0);
  CHECK(sum(b, "istio_tcp_connections_opened_total", {R"(response_flags="UF")"}) > 0);
  CHECK(calls(c, "app-d", R"(response_code="200")") > 0);
  CHECK(calls(d, "app-a", R"(response_code="503")") > 0);
}
