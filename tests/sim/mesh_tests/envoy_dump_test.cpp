#include "mesh/dump_query.h"
#include "mesh/envoy_dump.h"
#include "mesh/pki.h"
#include "mesh/proxy_dumps.h"
#include "mesh/spiffe_bundle.h"
#include "pem_verify.h"
#include "server/json_util.h"

#include <doctest/doctest.h>

using namespace sim::mesh;
using namespace sim::mesh::test;

namespace {
MeshPki& shared_pki() {
  static MeshPki pki("cluster.local", true);
  return pki;
}

ProxyFacts facts(CaMode mode, const std::string& pod = "web-abc-1") {
  ProxyFacts f;
  f.mode = mode;
  f.revision = "asm-1-19";
  f.ns = "shop";
  f.service_account = "web";
  f.pod_name = pod;
  f.pod_ip = "10.244.0.7";
  f.workload = "web";
  f.istio_version = "1.19.10-asm.33";
  return f;
}

DumpSettings settings(int clusters) {
  return {"cluster.local",
          "proj.svc.id.goog",
          clusters,
          {{"web", "shop", "web"}, {"db", "data", "db-sa"}}};
}

const rapidjson::Value* config_of(const rapidjson::Document& dump, const std::string& suffix) {
  for (const auto& c : dump["configs"].GetArray()) {
    std::string type = sim::string_member(c, "@type");
    if (type.size() >= suffix.size() &&
        type.compare(type.size() - suffix.size(), suffix.size(), suffix) == 0)
      return &c;
  }
  return nullptr;
}

std::string secret_bytes(const rapidjson::Value& secrets_list, const char* name, const char* path) {
  for (const auto& s : secrets_list.GetArray())
    if (sim::string_member(s, "name") == name)
      return decode_base64(sim::string_at(s, path));
  return {};
}
} // namespace

TEST_CASE("pki: Citadel and Mesh CA certificates chain to the right roots") {
  auto& pki = shared_pki();
  auto citadel_root = read_pems(pki.citadel_root_pem());
  REQUIRE(citadel_root.size() == 1);
  CHECK(subject_of(citadel_root[0].get()) == "/O=cluster.local");
  REQUIRE(pki.meshca_root_pems().size() == 2);
  for (const auto& pem : pki.meshca_root_pems()) {
    auto root = read_pems(pem);
    CHECK(subject_of(root[0].get())
              .find("/C=US/ST=California/L=Mountain View/O=Google "
                    "LLC/OU=Cloud/CN=istio_v1_cloud_workload_root-signer-") == 0);
  }
  std::string citadel_chain =
      pki.workload_chain_pem(Issuer::citadel, "spiffe://cluster.local/ns/a/sa/b");
  CHECK(read_pems(citadel_chain).size() == 3); // leaf, plug-in intermediate, root
  CHECK(first_uri_san(read_pems(citadel_chain)[0].get()) == "spiffe://cluster.local/ns/a/sa/b");
  CHECK(chain_verifies(citadel_chain, pki.trust_bundle_pem(CaMode::citadel)));
  CHECK_FALSE(chain_verifies(citadel_chain, pki.trust_bundle_pem(CaMode::meshca)));
  std::string meshca_chain =
      pki.workload_chain_pem(Issuer::meshca, "spiffe://p.svc.id.goog/ns/a/sa/b");
  CHECK(read_pems(meshca_chain).size() == 2); // leaf, intermediate
  CHECK(chain_verifies(meshca_chain, pki.trust_bundle_pem(CaMode::meshca)));
  CHECK(chain_verifies(meshca_chain, pki.trust_bundle_pem(CaMode::citadel_meshca_root)));
  CHECK_FALSE(chain_verifies(meshca_chain, pki.trust_bundle_pem(CaMode::citadel)));
  CHECK(pki.workload_chain_pem(Issuer::meshca, "spiffe://p.svc.id.goog/ns/a/sa/b") ==
        meshca_chain); // cached
  CHECK(read_pems(pki.trust_bundle_pem(CaMode::meshca_migration)).size() == 3);
  CHECK(read_pems(pki.trust_bundle_pem(CaMode::meshca_final)).size() == 2);
}

TEST_CASE("spiffe bundle: JWKS with x5c of each Mesh CA root") {
  auto& pki = shared_pki();
  auto doc = sim::parse_json(spiffe_bundle_json(pki.meshca_root_pems()));
  REQUIRE(doc);
  CHECK((*doc)["spiffe_sequence"].GetInt() == 1);
  REQUIRE((*doc)["keys"].Size() == 2);
  const auto& key = (*doc)["keys"][0];
  CHECK(sim::string_member(key, "use") == "x509-svid");
  CHECK(sim::string_member(key, "kty") == "EC");
  CHECK(sim::string_member(key, "x").size() == 43); // 32 bytes, base64url unpadded
  std::string der = decode_base64(key["x5c"][0].GetString());
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  REQUIRE(cert);
  CHECK(subject_of(cert.get()).find("istio_v1_cloud_workload_root-signer-0-") != std::string::npos);
  CHECK(base64url("\xfb\xff") == "-_8");
}

TEST_CASE("dump: the full dump has every config and the pod's secrets") {
  ProxyDumps dumps(shared_pki(), settings(10));
  auto response = dumps.config_dump(facts(CaMode::meshca_migration), "");
  REQUIRE(response.status == 200);
  auto doc = sim::parse_json(response.body);
  REQUIRE(doc);
  for (const char* type : {"BootstrapConfigDump", "ClustersConfigDump", "ListenersConfigDump",
                           "ScopedRoutesConfigDump", "RoutesConfigDump", "SecretsConfigDump"})
    CHECK_MESSAGE(config_of(*doc, type), type);
  CHECK(config_of(*doc, "EndpointsConfigDump") == nullptr);
  const auto& secrets = (*config_of(*doc, "SecretsConfigDump"))["dynamic_active_secrets"];
  std::string chain =
      secret_bytes(secrets, "default", "secret.tls_certificate.certificate_chain.inline_bytes");
  std::string bundle =
      secret_bytes(secrets, "ROOTCA", "secret.validation_context.trusted_ca.inline_bytes");
  CHECK(chain_verifies(chain, bundle));
  CHECK(first_uri_san(read_pems(chain)[0].get()) == "spiffe://proj.svc.id.goog/ns/shop/sa/web");
  CHECK(read_pems(bundle).size() == 3);
  CHECK(sim::string_at((*config_of(*doc, "SecretsConfigDump"))["dynamic_active_secrets"][0],
                       "name") != "");
  CHECK(response.body.find("W3JlZGFjdGVkXQ==") != std::string::npos);

  // Outbound clusters accept both trust domains, inbound chains both prefixes.
  const auto& clusters = (*config_of(*doc, "ClustersConfigDump"))["dynamic_active_clusters"];
  int outbound = 0;
  for (const auto& c : clusters.GetArray()) {
    std::string name = sim::string_at(c, "cluster.name");
    if (name.rfind("outbound|", 0) != 0)
      continue;
    ++outbound;
    const auto& sans = c["cluster"]["transport_socket_matches"][0]["transport_socket"]
                        ["typed_config"]["common_tls_context"]["combined_validation_context"]
                        ["default_validation_context"]["match_subject_alt_names"];
    REQUIRE(sans.Size() == 2);
    CHECK(std::string(sans[0]["exact"].GetString()).rfind("spiffe://proj.svc.id.goog/ns/", 0) == 0);
    CHECK(std::string(sans[1]["exact"].GetString()).rfind("spiffe://cluster.local/ns/", 0) == 0);
  }
  CHECK(outbound == 10);
  CHECK(response.body.find("\"prefix\": \"spiffe://proj.svc.id.goog/\"") != std::string::npos);
  CHECK(response.body.find("\"prefix\": \"spiffe://cluster.local/\"") != std::string::npos);
  CHECK(response.body.rfind("{\n \"configs\": [\n  {\n   \"@type\"", 0) ==
        0); // Envoy's one-space indent
}

TEST_CASE("dump: secret order varies between pods") {
  ProxyDumps dumps(shared_pki(), settings(1));
  bool rootca_first = false, default_first = false;
  for (int i = 0; i < 16; ++i) {
    auto doc = sim::parse_json(dumps
                                   .config_dump(facts(CaMode::citadel, "p-" + std::to_string(i)),
                                                "resource=dynamic_active_secrets")
                                   .body);
    REQUIRE(doc);
    std::string first = sim::string_member((*doc)["configs"][0], "name");
    (first == "ROOTCA" ? rootca_first : default_first) = true;
  }
  CHECK(rootca_first);
  CHECK(default_first);
}

TEST_CASE("dump: query parameters as Envoy answers them") {
  ProxyDumps dumps(shared_pki(), settings(5));
  auto f = facts(CaMode::citadel);
  auto secrets = dumps.config_dump(f, "resource=dynamic_active_secrets");
  auto doc = sim::parse_json(secrets.body);
  REQUIRE(doc);
  REQUIRE((*doc)["configs"].Size() == 2);
  CHECK(sim::string_member((*doc)["configs"][0], "@type") ==
        "type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret");

  auto rootca = sim::parse_json(
      dumps.config_dump(f, "resource=dynamic_active_secrets&name_regex=ROOTCA").body);
  REQUIRE((*rootca)["configs"].Size() == 1);
  CHECK(sim::string_member((*rootca)["configs"][0], "name") == "ROOTCA");

  // A mask is applied to the dumps it fits; the others are left out, as Envoy 1.19+ does
  // (config_dump_handler.cc, checkFieldMaskAndTrimMessage).
  auto masked = sim::parse_json(dumps.config_dump(f, "mask=dynamic_active_secrets").body);
  REQUIRE(masked);
  CHECK(config_of(*masked, "BootstrapConfigDump") == nullptr);
  CHECK((*masked)["configs"].Size() == 1);
  CHECK((*config_of(*masked, "SecretsConfigDump"))["dynamic_active_secrets"].Size() == 2);
  // Secrets and clusters in one mask fit no dump: refused.
  auto mixed = dumps.config_dump(f, "mask=dynamic_active_secrets,dynamic_active_clusters");
  CHECK(mixed.status == 400);
  CHECK(mixed.body.find("could not be successfully applied to any configs") != std::string::npos);
  // resource= with a mask on each element, which keeps both @types.
  auto tls = sim::parse_json(
      dumps
          .config_dump(f, "resource=dynamic_active_clusters&mask=cluster.transport_socket,"
                          "cluster.transport_socket_matches")
          .body);
  REQUIRE(tls);
  REQUIRE((*tls)["configs"].Size() > 0);
  const auto& first = (*tls)["configs"][0];
  CHECK(sim::string_member(first, "@type") ==
        "type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster");
  CHECK(first["cluster"].HasMember("@type"));
  CHECK_FALSE(first["cluster"].HasMember("name"));
  CHECK(dumps.config_dump(f, "resource=dynamic_active_clusters&mask=cluster.name,secret").status ==
        400);
  CHECK(dumps.config_dump(f, "resource=dynamic_active_clusters&mask=cluster").status == 200);

  auto clusters = sim::parse_json(
      dumps.config_dump(f, "resource=dynamic_active_clusters&name_regex=outbound%5C%7C9080%5C%7C")
          .body);
  REQUIRE(clusters);
  CHECK((*clusters)["configs"].Size() == 3); // istiod, web, db on 9080

  auto eds = sim::parse_json(dumps.config_dump(f, "include_eds").body);
  CHECK(config_of(*eds, "EndpointsConfigDump"));

  auto warming = sim::parse_json(dumps.config_dump(f, "resource=dynamic_warming_secrets").body);
  CHECK((*warming)["configs"].Size() == 0);
  auto missing = dumps.config_dump(f, "resource=no_such_field");
  CHECK(missing.status == 404);
  CHECK(missing.body == "no_such_field not found in config dump");
  auto scalar = dumps.config_dump(f, "resource=bootstrap");
  CHECK(scalar.status == 400);
  CHECK(dumps.config_dump(f, "name_regex=(").status == 400);

  auto old = f;
  old.old_proxy = true;
  auto full = sim::parse_json(dumps.config_dump(old, "resource=dynamic_active_secrets").body);
  CHECK((*full)["configs"].Size() == 6); // resource= ignored
}

TEST_CASE("dump: the caches keep pods of one identity apart when their installs differ") {
  ProxyDumps dumps(shared_pki(), settings(3));
  auto full = facts(CaMode::meshca_migration);
  auto no_multiroot = full, no_aliases = full;
  no_multiroot.omitted.add(CaSetting::multiroot_mesh);
  no_aliases.omitted.add(CaSetting::trust_domain_aliases);
  auto roots = [&](const ProxyFacts& f) {
    auto doc = sim::parse_json(
        dumps.config_dump(f, "resource=dynamic_active_secrets&name_regex=ROOTCA").body);
    return read_pems(
               decode_base64(sim::string_at((*doc)["configs"][0],
                                            "secret.validation_context.trusted_ca.inline_bytes")))
        .size();
  };
  auto sans = [&](const ProxyFacts& f, const char* query) {
    auto doc = sim::parse_json(dumps.config_dump(f, query).body);
    const auto* clusters = config_of(*doc, "ClustersConfigDump");
    const auto& list = clusters ? (*clusters)["dynamic_active_clusters"] : (*doc)["configs"];
    for (const auto& c : list.GetArray())
      if (sim::string_at(c, "cluster.name").rfind("outbound|9080||web.", 0) == 0)
        return c["cluster"]["transport_socket_matches"][0]["transport_socket"]["typed_config"]
                ["common_tls_context"]["combined_validation_context"]["default_validation_context"]
                ["match_subject_alt_names"]
                    .Size();
    return rapidjson::SizeType{0};
  };
  for (int round = 0; round < 2; ++round) { // the second round is served from the caches
    CHECK(roots(full) == 3);
    CHECK(roots(no_multiroot) == 2);
    CHECK(roots(no_aliases) == 3);
    CHECK(sans(full, "") == 2);
    CHECK(sans(no_aliases, "") == 1);
    CHECK(sans(full, "resource=dynamic_active_clusters") == 2);
    CHECK(sans(no_aliases, "resource=dynamic_active_clusters") == 1);
  }
}

TEST_CASE("dump: 300 outbound clusters make a dump of about a megabyte") {
  std::vector<MeshService> services;
  for (int i = 0; i < 100; ++i)
    services.push_back(
        {"svc-" + std::to_string(i), "ns-" + std::to_string(i % 20), "sa-" + std::to_string(i)});
  ProxyDumps dumps(shared_pki(), {"cluster.local", "proj.svc.id.goog", 300, services});
  auto body = dumps.config_dump(facts(CaMode::citadel_meshca_root), "").body;
  CHECK(body.size() > 900 * 1024);
  CHECK(body.size() < 2 * 1024 * 1024);
  CHECK(sim::parse_json(body));
  CHECK(outbound_cluster_names(services, 300).size() == 300);
}

TEST_CASE("dump query: parsing") {
  auto q =
      parse_dump_query("resource=dynamic_active_secrets&mask=a.b,c&name_regex=%5EROOT&include_eds");
  CHECK(q.resource == "dynamic_active_secrets");
  CHECK(q.mask_paths == std::vector<std::string>{"a.b", "c"});
  CHECK(q.name_regex == "^ROOT");
  CHECK(q.include_eds);
  CHECK(parse_dump_query("").plain());
  CHECK(percent_decode("a%2Cb%zz") == "a,b%zz");
}
