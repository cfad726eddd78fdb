#include "mesh/scenario.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <set>

using namespace sim::mesh;

namespace {
std::string error_of(const std::string& json) {
  auto result = parse_scenario(json, "t.json");
  auto* error = std::get_if<std::string>(&result);
  return error ? *error : std::string("(parsed)");
}
Scenario parsed(const std::string& json) {
  auto result = parse_scenario(json, "t.json");
  if (auto* error = std::get_if<std::string>(&result))
    FAIL(*error);
  return std::get<Scenario>(std::move(result));
}
} // namespace

TEST_CASE("scenario: defaults and revisions") {
  auto s = parsed(
      R"({"revisions":[{"name":"asm-1-19"},{"unrevisioned":true,"ca":"meshca-migration"}]})");
  CHECK(s.trust_domain == "cluster.local");
  CHECK(s.meshca_trust_domain() == "sim-project.svc.id.goog");
  REQUIRE(s.revisions.size() == 2);
  CHECK(s.revisions[0].ca == CaMode::citadel);
  CHECK(s.revisions[1].name == "default");
  CHECK(s.revisions[1].unrevisioned);
  CHECK(s.istio_ca_secret);
  CHECK_FALSE(s.cacerts);
}

TEST_CASE("scenario: errors name the file and the key") {
  CHECK(error_of("{").find("t.json: invalid JSON") != std::string::npos);
  CHECK(error_of(R"({"revisions":[]})") ==
        "scenario t.json: revisions: at least one istiod revision is required");
  CHECK(error_of(R"({"revisons":[]})").find("revisons: unknown key") != std::string::npos);
  CHECK(error_of(R"({"revisions":[{"name":"r","ca":"vault"}]})")
            .find("revisions[0]: ca \"vault\" is not one of") != std::string::npos);
  CHECK(error_of(R"({"revisions":[{"name":"R_1"}]})").find("is not a DNS-1123 label") !=
        std::string::npos);
  CHECK(error_of(R"({"revisions":[{"name":"r"}],"tags":{"default":"x"}})") ==
        "scenario t.json: tag \"default\" points at unknown revision \"x\"");
  CHECK(error_of(R"({"revisions":[{"name":"r","ca":"meshca-final"}]})").find("needs ca_secrets") !=
        std::string::npos);
  CHECK(
      error_of(
          R"({"revisions":[{"name":"r"}],"namespaces":[{"name":"a","workloads":[{"name":"w","kind":"CronJob"}]}]})")
          .find("namespaces[0].workloads[0]: kind \"CronJob\"") != std::string::npos);
  CHECK(error_of(R"({"revisions":[{"name":"r"}],"readiness_delay_ms":-1})").find("out of range") !=
        std::string::npos);
}

TEST_CASE("scenario: omit lists the settings of a revision's CA option its install lacks") {
  auto s = parsed(R"({"revisions":[
      {"name":"a","ca":"citadel-meshca-root","omit":["ISTIO_MULTIROOT_MESH","PROXY_CONFIG_XDS_AGENT","caCertificates"]},
      {"name":"b","ca":"meshca-migration","omit":["ISTIO_MULTIROOT_MESH","PROXY_CONFIG_XDS_AGENT","trustDomainAliases","ENABLE_CA_SERVER"]},
      {"name":"c","ca":"meshca","omit":["ENABLE_CA_SERVER"]},
      {"name":"d","ca":"meshca-migration"}],
      "ca_secrets":{"cacerts":false,"istio_ca_secret":true}})");
  REQUIRE(s.revisions.size() == 4);
  const auto& a = s.revisions[0];
  CHECK(a.omit.has(CaSetting::multiroot_mesh));
  CHECK(a.omit.has(CaSetting::xds_agent));
  CHECK(a.omit.has(CaSetting::ca_certificates));
  CHECK_FALSE(a.omit.has(CaSetting::trust_domain_aliases));
  CHECK_FALSE(a.sets(CaSetting::ca_certificates));
  for (CaSetting setting : all_ca_settings())
    CHECK(s.revisions[1].omit.has(setting) == (setting != CaSetting::ca_certificates));
  CHECK(s.revisions[2].omit.has(CaSetting::no_ca_server));
  CHECK_FALSE(s.revisions[2].sets(CaSetting::no_ca_server));
  CHECK(s.revisions[3].omit.empty());
  CHECK(s.revisions[3].sets(CaSetting::no_ca_server));
  CHECK(s.revisions[3].sets(CaSetting::trust_domain_aliases));
  CHECK_FALSE(s.revisions[3].sets(CaSetting::ca_certificates));
  CHECK(ca_setting_name(CaSetting::no_ca_server) == "ENABLE_CA_SERVER");
  CHECK(parse_ca_setting("trustDomainAliases") == CaSetting::trust_domain_aliases);
  CHECK_FALSE(parse_ca_setting("trustdomainaliases"));
}

TEST_CASE("scenario: omit errors name the file, the revision and the allowed values") {
  CHECK(error_of(R"({"revisions":[{"name":"r","ca":"meshca-migration","omit":["CA_ADDR"]}]})") ==
        "scenario t.json: revisions[0]: omit \"CA_ADDR\" (revision \"r\") is not one of "
        "ISTIO_MULTIROOT_MESH, PROXY_CONFIG_XDS_AGENT, caCertificates, trustDomainAliases, "
        "ENABLE_CA_SERVER");
  CHECK(
      error_of(
          R"({"revisions":[{"name":"x"},{"name":"r","ca":"meshca-migration","omit":["caCertificates"]}]})") ==
      "scenario t.json: revisions[1]: omit \"caCertificates\": revision \"r\" is "
      "meshca-migration, whose install does not set it (it sets ISTIO_MULTIROOT_MESH, "
      "PROXY_CONFIG_XDS_AGENT, trustDomainAliases, ENABLE_CA_SERVER)");
  CHECK(
      error_of(
          R"({"revisions":[{"name":"r","ca":"citadel-meshca-root","omit":["ENABLE_CA_SERVER"]}]})") ==
      "scenario t.json: revisions[0]: omit \"ENABLE_CA_SERVER\": revision \"r\" is "
      "citadel-meshca-root, whose install does not set it (it sets ISTIO_MULTIROOT_MESH, "
      "PROXY_CONFIG_XDS_AGENT, caCertificates)");
  CHECK(
      error_of(
          R"({"revisions":[{"name":"r","ca":"citadel-meshca-root","omit":["trustDomainAliases"]}]})")
          .find("whose install does not set it") != std::string::npos);
  CHECK(error_of(R"({"revisions":[{"name":"r","ca":"meshca","omit":["ISTIO_MULTIROOT_MESH"]}]})") ==
        "scenario t.json: revisions[0]: omit \"ISTIO_MULTIROOT_MESH\": revision \"r\" is meshca, "
        "whose install does not set it (it sets ENABLE_CA_SERVER)");
  CHECK(error_of(R"({"revisions":[{"name":"r","omit":["ISTIO_MULTIROOT_MESH"]}]})") ==
        "scenario t.json: revisions[0]: omit \"ISTIO_MULTIROOT_MESH\": revision \"r\" is citadel, "
        "whose install does not set it (it sets none of ISTIO_MULTIROOT_MESH, "
        "PROXY_CONFIG_XDS_AGENT, caCertificates, trustDomainAliases, ENABLE_CA_SERVER)");
  CHECK(error_of(R"({"revisions":[{"name":"r","ca":"meshca","omit":"ENABLE_CA_SERVER"}]})") ==
        "scenario t.json: revisions[0].omit: must be an array of strings");
  CHECK(error_of(R"({"revisions":[{"name":"r","ca":"meshca","omit":[true]}]})") ==
        "scenario t.json: revisions[0].omit: must be an array of strings");
}

TEST_CASE("scenario: the scale block spreads pods over namespaces and workloads") {
  auto s = parsed(R"({"revisions":[{"name":"r"}],
                      "scale":{"namespaces":3,"pods":100,"workloads_per_namespace":4,"outbound_clusters":300,"old_proxy_every":5}})");
  REQUIRE(s.namespaces.size() == 3);
  CHECK(s.namespaces[0].name == "scale-00");
  CHECK(s.outbound_clusters == 300);
  int pods = 0, old = 0;
  for (const auto& ns : s.namespaces) {
    CHECK(ns.workloads.size() == 4);
    CHECK(ns.labels.front().first == "istio-injection");
    for (const auto& w : ns.workloads) {
      pods += w.replicas;
      old += w.old_proxy ? 1 : 0;
    }
  }
  CHECK(pods == 100);
  CHECK(old == 2);
}

TEST_CASE("scenario: every shipped scenario parses") {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(MESHCA_SIM_SCENARIOS_DIR))
    if (entry.path().extension() == ".json")
      names.insert(entry.path().filename().string());
  for (const char* name : {"demo.json", "mixed-trust.json", "native-sidecar.json",
                           "unrevisioned.json", "broken-webhook.json", "workload-kinds.json",
                           "scale.json", "preflight.json", "traffic.json", "migrate.json"})
    CHECK_MESSAGE(names.count(name) == 1, name);
  for (const auto& name : names) {
    auto result = load_scenario_file(std::string(MESHCA_SIM_SCENARIOS_DIR) + "/" + name);
    auto* error = std::get_if<std::string>(&result);
    CHECK_MESSAGE(!error, name << ": " << (error ? *error : ""));
  }
  auto missing = load_scenario_file("/nonexistent/x.json");
  CHECK(std::get<std::string>(missing) ==
        "scenario /nonexistent/x.json: cannot be read (check the path)");
}

TEST_CASE("scenario: traffic edges, workload annotations and the scale ring") {
  const std::string head = R"({"revisions":[{"name":"r"}],"namespaces":[{"name":"a","workloads":[
      {"name":"web","annotations":{"sidecar.istio.io/statsInclusionRegexps":".*ssl.*"}},
      {"name":"job","kind":"Job"}]},{"name":"b","workloads":[{"name":"db","kind":"StatefulSet"}]}],)";
  auto s = parsed(head + R"("traffic":[{"from":"a/web","to":"b/db","protocol":"tcp","rps":2.5},
                                       {"from":"a/job","to":"a/web"}]})");
  REQUIRE(s.traffic.size() == 2);
  CHECK(s.traffic[0].from_ns == "a");
  CHECK(s.traffic[0].to_service == "db");
  CHECK(s.traffic[0].protocol == TrafficProtocol::tcp);
  CHECK(s.traffic[0].rps == 2.5);
  CHECK(s.traffic[1].protocol == TrafficProtocol::http);
  CHECK(s.traffic[1].rps == 10);
  REQUIRE(s.namespaces[0].workloads[0].annotations.size() == 1);
  CHECK(s.namespaces[0].workloads[0].annotations[0].second == ".*ssl.*");

  CHECK(error_of(head + R"("traffic":[{"from":"a/web","to":"b/db","qps":1}]})") ==
        "scenario t.json: traffic[0].qps: unknown key (known: from, to, protocol, rps)");
  CHECK(error_of(head + R"("traffic":[{"from":"a/nope","to":"b/db"}]})") ==
        "scenario t.json: traffic[0]: from \"a/nope\" is not a declared workload");
  CHECK(error_of(head + R"("traffic":[{"from":"a/web","to":"a/job"}]})") ==
        "scenario t.json: traffic[0]: to \"a/job\" is not a declared workload's Service "
        "(Deployment, StatefulSet or DaemonSet)");
  CHECK(error_of(head + R"("traffic":[{"from":"web","to":"b/db"}]})") ==
        "scenario t.json: traffic[0]: from \"web\" is not NAMESPACE/NAME");
  CHECK(error_of(head + R"("traffic":[{"from":"a/web","to":"b/db","protocol":"grpc"}]})") ==
        "scenario t.json: traffic[0]: protocol \"grpc\" is not http or tcp");
  CHECK(error_of(head + R"("traffic":[{"from":"a/web","to":"b/db","rps":-1}]})")
            .find("traffic[0].rps: ") != std::string::npos);
  CHECK(error_of(head + R"("traffic":{}})") == "scenario t.json: traffic: must be an array");
  CHECK(error_of(R"({"revisions":[{"name":"r"}],"namespaces":[{"name":"a","workloads":[
      {"name":"web","annotations":{"x":1}}]}]})") ==
        "scenario t.json: namespaces[0].workloads[0].annotations.x: must be a string");

  auto ring = parsed(R"({"revisions":[{"name":"r"}],
                         "scale":{"namespaces":2,"pods":12,"workloads_per_namespace":3,"traffic":true}})");
  REQUIRE(ring.traffic.size() == 6);
  CHECK(ring.traffic[2].from_ns == "scale-00");
  CHECK(ring.traffic[2].from_workload == "app-2");
  CHECK(ring.traffic[2].to_service == "app-0");
  CHECK(ring.traffic[2].rps == 5);
  CHECK(parsed(R"({"revisions":[{"name":"r"}],"scale":{"pods":4}})").traffic.empty());
}
