// Which CA a trust domain belongs to, and reading Citadel's from the revisions' mesh config.

#include "meshca/mesh/trust_domain_owners.h"
#include "meshca/util/json.h"

#include <doctest/doctest.h>

using namespace meshca;

TEST_CASE(
    "trust domain owners: svc.id.goog is Mesh CA's, the mesh's own is Citadel's, others neither") {
  const TrustDomainOwners defaults;
  CHECK(defaults.owner("proj.svc.id.goog") == CaClass::meshca);
  CHECK(defaults.owner("cluster.local") == CaClass::citadel);
  CHECK_FALSE(defaults.owner("east.local").has_value());
  CHECK_FALSE(defaults.owner("svc.id.goog.example").has_value());
  TrustDomainOwners corp;
  corp.citadel = {"corp.example"};
  CHECK(corp.owner("corp.example") == CaClass::citadel);
  CHECK_FALSE(corp.owner("cluster.local").has_value());
  CHECK(corp.owners_of({"corp.example", "p.svc.id.goog"}).label() == "[CITADEL MESHCA]");
  CHECK(corp.owners_of({"cluster.local"}).empty());
}

TEST_CASE("mesh config: the top-level trustDomain line, quoted or not") {
  struct Case {
    const char* yaml;
    std::optional<std::string> domain;
  };
  for (const Case& c : {
           Case{"trustDomain: cluster.local\n", "cluster.local"},
           Case{"defaultConfig:\n  discoveryAddress: istiod:15012\ntrustDomain: corp.example\n",
                "corp.example"},
           Case{"trustDomain: \"quoted.example\"\n", "quoted.example"},
           Case{"trustDomain: 'single.example'   \r\n", "single.example"},
           Case{"trustDomain: p.svc.id.goog # Mesh CA\n", "p.svc.id.goog"},
           Case{"trustDomainAliases:\n- cluster.local\n", std::nullopt},
           Case{"caCertificates:\n- trustDomains: [a.example]\n  trustDomain: nested.example\n",
                std::nullopt},
           Case{"trustDomain:\n", std::nullopt},
           Case{"", std::nullopt},
       }) {
    CAPTURE(c.yaml);
    CHECK(mesh_config_trust_domain(c.yaml) == c.domain);
  }
}

TEST_CASE("mesh config: Citadel's trust domains from istio and istio-REV ConfigMaps") {
  const auto list = [](const std::string& items) {
    auto doc = json::parse(R"({"kind":"ConfigMapList","items":[)" + items + "]}", "test list");
    REQUIRE(doc.ok());
    return trust_domain_owners_from(*doc).citadel;
  };
  const auto config_map = [](const std::string& name, const std::string& key,
                             const std::string& td) {
    return R"({"metadata":{"name":")" + name + R"("},"data":{")" + key + R"(":"trustDomain: )" +
           td + R"(\n"}})";
  };
  using Domains = std::vector<std::string>;
  CHECK(list("") == Domains{"cluster.local"});
  CHECK(list(config_map("istio", "mesh", "corp.example")) == Domains{"corp.example"});
  CHECK(list(config_map("istio-asm-1", "mesh", "b.example") + "," +
             config_map("istio-asm-2", "mesh", "p.svc.id.goog") + "," +
             config_map("istio-asm-3", "mesh", "a.example") + "," +
             config_map("istio-asm-4", "mesh", "a.example")) == Domains{"a.example", "b.example"});
  // Only Mesh CA revisions: Citadel's is still the default.
  CHECK(list(config_map("istio-asm-2", "mesh", "p.svc.id.goog")) == Domains{"cluster.local"});
  // Not a mesh config: another name, or no `mesh` key.
  CHECK(list(config_map("other", "mesh", "x.example") + "," +
             config_map("istio-sidecar-injector", "config", "y.example")) ==
        Domains{"cluster.local"});
}
