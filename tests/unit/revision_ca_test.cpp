// What a revision's configuration says about its CA: the issuer (IstioOperator first, then
// istiod's environment), ENABLE_CA_SERVER, ISTIO_MULTIROOT_MESH, and the caCertificates roots
// from the mesh config ConfigMap (YAML block scalars) or the IstioOperator.

#include "meshca/mesh/revision_ca.h"
#include "test_files.h"

#include <doctest/doctest.h>

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

std::string istiod(const std::string& rev, const std::string& env_json) {
  return R"({"metadata":{"name":"istiod-)" + rev +
         R"(","namespace":"istio-system","creationTimestamp":"2025-01-01T00:00:00Z",)"
         R"("labels":{"app":"istiod","istio.io/rev":")" +
         rev + R"("}},"spec":{"template":{"spec":{"containers":[{"name":"discovery","env":[)" +
         env_json + "]}]}}}}";
}

std::string indented(const std::string& pem, const std::string& indent) {
  std::string out;
  std::size_t start = 0;
  while (start < pem.size()) {
    const std::size_t end = pem.find('\n', start);
    out += indent + pem.substr(start, end - start) + "\n";
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return out;
}

std::string json_escaped(const std::string& text) {
  std::string out;
  for (char c : text)
    out += c == '\n' ? std::string("\\n") : c == '"' ? std::string("\\\"") : std::string(1, c);
  return out;
}

const std::string kMeshCaRoot =
    meshca::testing::read_file(std::string(MESHCA_SAMPLES_DIR) +
                               "/meshca_root_istio_v1_cloud_workload_root-signer-0-2018-04-25.pem");

} // namespace

TEST_CASE("revision CA: issuer from the IstioOperator, else istiod's CA_ADDR or CA_PROVIDER") {
  const auto deployments = parse(
      R"({"items":[)" + istiod("a", R"({"name":"CA_ADDR","value":"meshca.googleapis.com:443"})") +
      "," + istiod("b", R"({"name":"CA_PROVIDER","value":"Citadel"})") + "," + istiod("c", "") +
      "," + istiod("d", R"({"name":"CA_ADDR","value":"meshca.googleapis.com:443"})") + "]}");
  const auto webhooks = parse(R"({"items":[]})");
  // d's IstioOperator says Citadel: it outranks the environment.
  const auto operators = parse(
      R"({"items":[{"metadata":{"name":"installed-state-d"},"spec":{"revision":"d","values":{"global":{"caName":""}}}}]})");
  const auto plane = meshca::parse_control_plane(deployments, webhooks);
  const auto cas = meshca::parse_revision_cas(plane, {deployments, &operators, nullptr});
  REQUIRE(cas.size() == 4);
  CHECK(cas.at("a").issuer == meshca::CaClass::meshca);
  CHECK(cas.at("a").issuer_source == "istiod env CA_ADDR");
  CHECK(cas.at("b").issuer == meshca::CaClass::citadel);
  CHECK(cas.at("b").issuer_source == "istiod env CA_PROVIDER");
  CHECK_FALSE(cas.at("c").issuer.has_value()); // nothing says: cannot be told
  CHECK(cas.at("c").runs_istio_ca());          // counted as Istio's own CA for the cleanup
  CHECK(cas.at("d").issuer == meshca::CaClass::citadel);
  CHECK(cas.at("d").issuer_source == "IstioOperator installed-state-d");
  CHECK(cas.at("a").created == "2025-01-01T00:00:00Z");
  CHECK_FALSE(cas.at("a").runs_istio_ca()); // Mesh CA certificates: no Citadel root to mint
}

TEST_CASE("revision CA: ENABLE_CA_SERVER and ISTIO_MULTIROOT_MESH from istiod's environment") {
  const auto deployments =
      parse(R"({"items":[)" + istiod("off", R"({"name":"ENABLE_CA_SERVER","value":"false"})") +
            "," + istiod("multi", R"({"name":"ISTIO_MULTIROOT_MESH","value":"true"})") + "]}");
  const auto webhooks = parse(R"({"items":[]})");
  const auto operators = parse(R"({"items":[
   {"metadata":{"name":"installed-state-off"},"spec":{"revision":"off","values":{"global":{"caName":""}}}},
   {"metadata":{"name":"installed-state-multi"},"spec":{"revision":"multi","values":{"global":{"caName":""}}}}]})");
  const auto plane = meshca::parse_control_plane(deployments, webhooks);
  const auto cas = meshca::parse_revision_cas(plane, {deployments, &operators, nullptr});
  CHECK_FALSE(cas.at("off").ca_server);
  CHECK_FALSE(cas.at("off").runs_istio_ca()); // Citadel issuer, but no CA server to mint
  CHECK(cas.at("multi").ca_server);
  CHECK(cas.at("multi").multi_root);
  CHECK(cas.at("multi").runs_istio_ca());
}

TEST_CASE(
    "revision CA: caCertificates from the mesh config ConfigMap and the IstioOperator, once each") {
  REQUIRE(kMeshCaRoot.find("BEGIN CERTIFICATE") != std::string::npos);
  const std::string mesh =
      "trustDomain: cluster.local\ncaCertificates:\n- pem: |\n" + indented(kMeshCaRoot, "    ") +
      "defaultConfig:\n  proxyMetadata:\n    PROXY_CONFIG_XDS_AGENT: \"true\"\n";
  const auto deployments = parse(R"({"items":[)" + istiod("r1", "") + "]}");
  const auto webhooks = parse(R"({"items":[]})");
  const auto config_maps =
      parse(R"({"items":[{"metadata":{"name":"istio-r1"},"data":{"mesh":")" + json_escaped(mesh) +
            R"("}},{"metadata":{"name":"istio-other"},"data":{"mesh":""}}]})");
  const auto operators =
      parse(R"({"items":[{"metadata":{"name":"installed-state-r1"},"spec":{"revision":"r1",)"
            R"("values":{"global":{"caName":""}},"meshConfig":{"caCertificates":[{"pem":")" +
            json_escaped(kMeshCaRoot) + R"("}]}}}]})");
  const auto plane = meshca::parse_control_plane(deployments, webhooks);
  const auto cas = meshca::parse_revision_cas(plane, {deployments, &operators, &config_maps});
  const meshca::RevisionCa& r1 = cas.at("r1");
  CHECK(r1.mesh_config_source == "ConfigMap istio-system/istio-r1");
  REQUIRE(r1.ca_certificates.size() == 1); // the same root from both places counts once
  auto certificates = meshca::x509::read_pem_bundle(r1.ca_certificates[0], "caCertificates");
  REQUIRE(certificates.ok());
  REQUIRE(certificates->size() == 1);
  CHECK(certificates->front().subject().find("istio_v1_cloud_workload_root-signer") !=
        std::string::npos);
}

TEST_CASE("pem_blocks_in takes every certificate out of YAML, whatever the indentation") {
  const std::string text = "a: 1\ncaCertificates:\n  - pem: |\n      " +
                           indented(kMeshCaRoot, "      ").substr(6) + "  - pem: |\n\t" +
                           indented(kMeshCaRoot, "\t").substr(1) +
                           "trailing: -----BEGIN CERTIFICATE----- without an end";
  const auto blocks = meshca::pem_blocks_in(text);
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0] == kMeshCaRoot);
  CHECK(blocks[1] == kMeshCaRoot);
  CHECK(meshca::pem_blocks_in("no certificates here").empty());
}

TEST_CASE("issuer_from_ca_name") {
  CHECK(meshca::issuer_from_ca_name("") == meshca::CaClass::citadel);
  CHECK(meshca::issuer_from_ca_name("Citadel") == meshca::CaClass::citadel);
  CHECK(meshca::issuer_from_ca_name("GoogleCA") == meshca::CaClass::meshca);
  CHECK(meshca::issuer_from_ca_name("MeshCA") == meshca::CaClass::meshca);
  CHECK_FALSE(meshca::issuer_from_ca_name("GoogleCAS").has_value());
}

TEST_CASE("revision CA: the mesh config ConfigMap wins over the IstioOperator, field by field") {
  const auto deployments = parse(R"({"items":[)" + istiod("r1", "") + "]}");
  const auto webhooks = parse(R"({"items":[]})");
  const auto config_maps =
      parse(R"({"items":[{"metadata":{"name":"istio-r1"},"data":{"mesh":"trustDomain: )"
            R"(p.svc.id.goog\ntrustDomainAliases:\n- cluster.local\n"}}]})");
  const auto operators =
      parse(R"({"items":[{"metadata":{"name":"installed-state-r1"},"spec":{"revision":"r1",)"
            R"("meshConfig":{"trustDomain":"cluster.local","defaultConfig":{"proxyMetadata":)"
            R"({"PROXY_CONFIG_XDS_AGENT":"true"}}}}}]})");
  const auto plane = meshca::parse_control_plane(deployments, webhooks);
  const auto with_map = meshca::parse_revision_cas(plane, {deployments, &operators, &config_maps});
  const meshca::RevisionCa& r1 = with_map.at("r1");
  CHECK(r1.trust_domain == "p.svc.id.goog");
  CHECK(r1.trust_domain_aliases == std::vector<std::string>{"cluster.local"});
  CHECK_FALSE(r1.xds_agent); // what istiod reads has no PROXY_CONFIG_XDS_AGENT
  const auto no_maps = parse(R"({"items":[]})");
  const auto from_operator = meshca::parse_revision_cas(plane, {deployments, &operators, &no_maps});
  CHECK(from_operator.at("r1").xds_agent);
  CHECK(from_operator.at("r1").trust_domain == "cluster.local");
  CHECK(from_operator.at("r1").mesh_config_source == "IstioOperator installed-state-r1");
}

TEST_CASE("revision CA: without an IstioOperator the injector's values.global say the CA") {
  const auto deployments = parse(R"({"items":[)" + istiod("m", "") + "," + istiod("c", "") + "]}");
  const auto webhooks = parse(R"({"items":[]})");
  const auto config_maps = parse(
      R"({"items":[{"metadata":{"name":"istio-sidecar-injector-m"},"data":{"config":"policy: )"
      R"(enabled","values":"{\"global\":{\"caAddress\":\"meshca.googleapis.com:443\"}}"}},)"
      R"({"metadata":{"name":"istio-sidecar-injector-c"},"data":{"values":"{\"global\":)"
      R"({\"caAddress\":\"\",\"caName\":\"Citadel\"}}"}}]})");
  const auto plane = meshca::parse_control_plane(deployments, webhooks);
  const auto cas = meshca::parse_revision_cas(plane, {deployments, nullptr, &config_maps});
  CHECK(cas.at("m").issuer == meshca::CaClass::meshca);
  CHECK(cas.at("m").issuer_source ==
        "ConfigMap istio-system/istio-sidecar-injector-m values.global.caAddress");
  CHECK(cas.at("m").ca_address == "meshca.googleapis.com:443");
  CHECK(cas.at("c").issuer == meshca::CaClass::citadel);
  CHECK(cas.at("c").issuer_source ==
        "ConfigMap istio-system/istio-sidecar-injector-c values.global.caName");
}
