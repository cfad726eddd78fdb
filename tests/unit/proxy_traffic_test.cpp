#include "meshca/mesh/proxy_traffic.h"

#include <doctest/doctest.h>
#include <fstream>
#include <sstream>

namespace {

std::string read_stats(const std::string& name) {
  std::ifstream in(std::string(MESHCA_TESTDATA_DIR) + "/stats/" + name);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST_CASE("a client sidecar's merged stats: pairs, failures, TLS counters and the agent's") {
  const auto traffic = meshca::read_proxy_traffic(read_stats("sleep_agent_merged.prom"));
  CHECK(traffic.unreadable_lines == 0);
  CHECK(traffic.workload == "sleep");
  CHECK(traffic.workload_namespace == "frontend");
  REQUIRE(traffic.outbound.count("httpbin.backend.svc.cluster.local") == 1);
  const auto& httpbin = traffic.outbound.at("httpbin.backend.svc.cluster.local");
  CHECK(httpbin.requests == 57);
  CHECK(httpbin.failed_requests == 17); // UF,URX; the 200s are not failures
  CHECK(httpbin.has_tls);
  CHECK(httpbin.tls.handshake == 40);
  CHECK(httpbin.tls.fail_verify_error == 17);
  CHECK(httpbin.tls.connection_error == 17);
  const auto& mysql = traffic.outbound.at("mysql.db.svc.cluster.local");
  CHECK(mysql.connections == 15); // opened; closed_total is not counted twice
  CHECK(mysql.failed_connections == 3);
  CHECK(mysql.requests == 0);
  // "UH" (no healthy upstream) is not a connection failure
  CHECK(traffic.outbound.at("legacy.backend.svc.cluster.local").failed_requests == 0);
  // reporter="destination" is the server's view: sleep.frontend is not a destination here
  CHECK(traffic.outbound.count("sleep.frontend.svc.cluster.local") == 0);
  CHECK(traffic.tls_counters);
  CHECK(traffic.inbound.handshake == 25);
  CHECK(traffic.inbound.fail_verify_error == 4);
  CHECK(traffic.agent_metrics);
  CHECK(traffic.istiod_failures == 3); // terminations{type="error"} 2 + failed csr 1
}

TEST_CASE("without the ssl counters and the agent's metrics, both are known to be missing") {
  const auto traffic = meshca::read_proxy_traffic(
      "# TYPE istio_requests_total counter\n"
      "istio_requests_total{reporter=\"source\",source_workload=\"a\","
      "source_workload_namespace=\"n\",destination_service=\"b.n.svc.cluster.local\","
      "response_code=\"200\",response_flags=\"-\"} 5\n"
      "envoy_cluster_ssl_handshake{cluster_name=\"xds-grpc\"} 1\n");
  CHECK_FALSE(traffic.tls_counters); // xds-grpc is the agent's Unix socket, not service TLS
  CHECK_FALSE(traffic.agent_metrics);
  CHECK(traffic.outbound.at("b.n.svc.cluster.local").requests == 5);
  CHECK_FALSE(traffic.outbound.at("b.n.svc.cluster.local").has_tls);
}

TEST_CASE("cluster and service names") {
  CHECK(meshca::outbound_service("outbound|9080||reviews.bookinfo.svc.cluster.local") ==
        "reviews.bookinfo.svc.cluster.local");
  CHECK(meshca::outbound_service("outbound|9080|v1|reviews.bookinfo.svc.cluster.local") ==
        "reviews.bookinfo.svc.cluster.local");
  CHECK(meshca::outbound_service("inbound|9080||").empty());
  CHECK(meshca::outbound_service("PassthroughCluster").empty());
  CHECK(meshca::short_service_name("httpbin.backend.svc.cluster.local") == "httpbin.backend");
  CHECK(meshca::short_service_name("api.example.com") == "api.example.com");
}

TEST_CASE("a server that calls nobody is named by the requests it took") {
  const std::string took =
      "istio_requests_total{reporter=\"destination\",source_workload=\"sleep\","
      "source_workload_namespace=\"frontend\",destination_workload=\"httpbin\","
      "destination_workload_namespace=\"backend\","
      "destination_service=\"httpbin.backend.svc.cluster.local\",response_flags=\"-\"} 9\n";
  const auto server = meshca::read_proxy_traffic(took);
  CHECK(server.workload == "httpbin");
  CHECK(server.workload_namespace == "backend");
  CHECK(server.outbound.empty()); // the client counts the pair, not the server
  const auto both = meshca::read_proxy_traffic(
      took + "istio_requests_total{reporter=\"source\",source_workload=\"httpbin\","
             "source_workload_namespace=\"backend\",destination_service=\"db.db.svc.cluster."
             "local\",response_flags=\"-\"} 1\n");
  CHECK(both.workload == "httpbin");
  CHECK(both.outbound.size() == 1);
}
