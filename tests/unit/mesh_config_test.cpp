// The mesh config fields a CA migration depends on, read from the YAML istiod reads (the shapes
// asmcli's ca-migration options and istioctl produce) and from an IstioOperator's JSON.
#include "meshca/mesh/mesh_config.h"

#include <doctest/doctest.h>
#include <fstream>
#include <iterator>

namespace {

using meshca::parse_go_bool;
using meshca::parse_mesh_config_json;
using meshca::parse_mesh_config_yaml;

std::string meshca_root_pem() {
  std::ifstream in(std::string(MESHCA_SAMPLES_DIR) +
                   "/meshca_root_istio_v1_cloud_workload_root-signer-0-2018-04-25.pem");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `pem` indented as a YAML literal block under `- pem: |`.
std::string indented(const std::string& pem, const std::string& indent) {
  std::string out;
  std::size_t start = 0;
  while (start < pem.size()) {
    std::size_t end = pem.find('\n', start);
    if (end == std::string::npos)
      end = pem.size();
    out += indent + pem.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

} // namespace

TEST_CASE("mesh config: the ca-migration-citadel shape (unquoted true, caCertificates PEM)") {
  const std::string yaml = "accessLogFile: /dev/stdout\n"
                           "defaultConfig:\n"
                           "  discoveryAddress: istiod-asm-2.istio-system.svc:15012\n"
                           "  proxyMetadata:\n"
                           "    PROXY_CONFIG_XDS_AGENT: true\n"
                           "    ISTIO_META_DNS_CAPTURE: \"true\"\n"
                           "  tracing:\n"
                           "    zipkin:\n"
                           "      address: zipkin.istio-system:9411\n"
                           "caCertificates:\n"
                           "- pem: |\n" +
                           indented(meshca_root_pem(), "    ") +
                           "trustDomain: cluster.local\n"
                           "rootNamespace: istio-system\n";
  const auto facts = parse_mesh_config_yaml(yaml);
  CHECK(facts.trust_domain == "cluster.local");
  CHECK(facts.trust_domain_aliases.empty());
  CHECK(facts.proxy_metadata.at("PROXY_CONFIG_XDS_AGENT") == "true");
  CHECK(facts.proxy_metadata.at("ISTIO_META_DNS_CAPTURE") == "true");
  CHECK(facts.proxy_metadata.size() == 2); // tracing's keys are not proxyMetadata
  REQUIRE(facts.ca_certificates.size() == 1);
  CHECK(facts.ca_certificates[0] == meshca_root_pem());
}

TEST_CASE("mesh config: the ca-migration-meshca shape (quoted true, block-sequence aliases)") {
  const auto facts = parse_mesh_config_yaml("defaultConfig:\n"
                                            "  proxyMetadata:\n"
                                            "    PROXY_CONFIG_XDS_AGENT: \"true\"\n"
                                            "    CA_PROVIDER: 'GoogleCA'\n"
                                            "trustDomain: acme-prod.svc.id.goog\n"
                                            "trustDomainAliases:\n"
                                            "- acme-prod.svc.id.goog\n"
                                            "- \"cluster.local\"   # the Citadel trust domain\n");
  CHECK(facts.trust_domain == "acme-prod.svc.id.goog");
  CHECK(facts.trust_domain_aliases ==
        std::vector<std::string>{"acme-prod.svc.id.goog", "cluster.local"});
  CHECK(facts.proxy_metadata.at("PROXY_CONFIG_XDS_AGENT") == "true");
  CHECK(facts.proxy_metadata.at("CA_PROVIDER") == "GoogleCA");
  CHECK(facts.ca_certificates.empty());
}

TEST_CASE("mesh config: indented sequences, flow sequences, comments and block scalars") {
  const auto indented_list = parse_mesh_config_yaml("trustDomainAliases:\n"
                                                    "  - cluster.local\n"
                                                    "  - old.example\n"
                                                    "trustDomain: new.example\n");
  CHECK(indented_list.trust_domain_aliases ==
        std::vector<std::string>{"cluster.local", "old.example"});
  CHECK(indented_list.trust_domain == "new.example");

  const auto flow = parse_mesh_config_yaml("# mesh\ntrustDomainAliases: [cluster.local, "
                                           "'b.svc.id.goog']\n---\n");
  CHECK(flow.trust_domain_aliases == std::vector<std::string>{"cluster.local", "b.svc.id.goog"});

  // A key of the same name elsewhere (an extension provider, a block scalar) is not the field.
  const auto nested = parse_mesh_config_yaml("extensionProviders:\n"
                                             "- name: authz\n"
                                             "  trustDomain: wrong.example\n"
                                             "  envoyExtAuthzGrpc:\n"
                                             "    service: authz.foo.svc\n"
                                             "notes: |\n"
                                             "  trustDomain: also-wrong\n"
                                             "  trustDomainAliases:\n"
                                             "  - nope\n"
                                             "defaultConfig:\n"
                                             "  proxyMetadata: {}\n");
  CHECK_FALSE(nested.trust_domain.has_value());
  CHECK(nested.trust_domain_aliases.empty());
  CHECK(nested.proxy_metadata.empty());
}

TEST_CASE("mesh config: an empty or absent config says nothing") {
  CHECK(parse_mesh_config_yaml("").empty());
  CHECK(parse_mesh_config_yaml("{}\n").empty());
}

TEST_CASE("mesh config: IstioOperator spec.meshConfig as JSON") {
  rapidjson::Document doc;
  doc.Parse(R"({"trustDomain":"p.svc.id.goog","trustDomainAliases":["cluster.local"],
    "defaultConfig":{"proxyMetadata":{"PROXY_CONFIG_XDS_AGENT":true,"X":"y"}},
    "caCertificates":[{"pem":"-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"},
                      {"spiffeBundleUrl":"https://example/bundle"}]})");
  REQUIRE_FALSE(doc.HasParseError());
  const auto facts = parse_mesh_config_json(doc);
  CHECK(facts.trust_domain == "p.svc.id.goog");
  CHECK(facts.trust_domain_aliases == std::vector<std::string>{"cluster.local"});
  CHECK(facts.proxy_metadata.at("PROXY_CONFIG_XDS_AGENT") == "true");
  CHECK(facts.proxy_metadata.at("X") == "y");
  CHECK(facts.ca_certificates.size() == 1);
}

TEST_CASE("mesh config: booleans as Go's strconv.ParseBool reads Istio's flags") {
  for (const char* yes : {"1", "t", "T", "TRUE", "true", "True"})
    CHECK(parse_go_bool(yes) == true);
  for (const char* no : {"0", "f", "F", "FALSE", "false", "False"})
    CHECK(parse_go_bool(no) == false);
  for (const char* neither : {"", "yes", "on", "tRuE", " true"})
    CHECK_FALSE(parse_go_bool(neither).has_value());
}
