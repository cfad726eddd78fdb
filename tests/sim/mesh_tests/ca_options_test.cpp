// asmcli's CA options as the simulator installs them: istiod's environment and the revision's
// mesh ConfigMap per CA mode, each setting a scenario's "omit" leaves out, and what that does to
// the sidecars the revision injects (ROOTCA bundle, SAN trust domains).
#include "mesh/ca_mode.h"
#include "mesh_test_support.h"
#include "pem_verify.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <map>

using namespace sim;
using namespace sim::mesh;
using namespace sim::mesh::test;

namespace {

// istiod's env as NAME=value, in order.
std::vector<std::string> istiod_env(const Store& store, const std::string& revision) {
  auto doc = parse_json(*store.get("deployments", "istio-system", "istiod-" + revision));
  std::vector<std::string> out;
  const auto* env = find_path(*doc, "spec.template.spec.containers");
  for (const auto& var : (*env)[0]["env"].GetArray())
    out.push_back(string_member(var, "name") + "=" + string_member(var, "value"));
  return out;
}

std::string mesh_config(const Store& store, const std::string& revision) {
  auto doc = parse_json(*store.get("configmaps", "istio-system", "istio-" + revision));
  return string_at(*doc, "data.mesh");
}

// The `- item` lines of a top-level list in the mesh config text.
std::vector<std::string> mesh_list(const std::string& mesh, const std::string& key) {
  std::vector<std::string> out;
  std::size_t at = mesh.find("\n" + key + ":\n");
  if (at == std::string::npos)
    return out;
  at += key.size() + 3;
  while (mesh.compare(at, 2, "- ") == 0) {
    std::size_t end = mesh.find('\n', at);
    out.push_back(mesh.substr(at + 2, end - at - 2));
    at = end + 1;
  }
  return out;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    ++n;
  return n;
}

struct Sidecar {
  int citadel_roots = 0, meshca_roots = 0;
  std::string identity;                   // the certificate's SPIFFE ID
  std::vector<std::string> trust_domains; // of an outbound cluster's SAN matchers, in order
};

std::string dump_secret(Mesh& mesh, const std::string& ns, const std::string& pod, const char* name,
                        const char* path) {
  auto doc = parse_json(
      agent_get(mesh, ns, pod,
                std::string("config_dump?resource=dynamic_active_secrets&name_regex=") + name)
          .out);
  REQUIRE(doc);
  REQUIRE((*doc)["configs"].Size() == 1);
  return decode_base64(string_at((*doc)["configs"][0], path));
}

// The sidecar of the one pod in `ns`; `service` names the outbound cluster whose SANs are read.
Sidecar sidecar_of(Mesh& mesh, const Store& store, const std::string& ns,
                   const std::string& service = "app") {
  auto list = pods(store, ns);
  REQUIRE(list.size() == 1);
  std::string pod = string_at(list[0], "metadata.name");
  Sidecar s;
  for (const auto& root : read_pems(dump_secret(
           mesh, ns, pod, "ROOTCA", "secret.validation_context.trusted_ca.inline_bytes")))
    ++(subject_of(root.get()).find("root-signer") != std::string::npos ? s.meshca_roots
                                                                       : s.citadel_roots);
  auto chain = read_pems(dump_secret(mesh, ns, pod, "default",
                                     "secret.tls_certificate.certificate_chain.inline_bytes"));
  s.identity = first_uri_san(chain[0].get());
  auto clusters = parse_json(
      agent_get(
          mesh, ns, pod,
          "config_dump?resource=dynamic_active_clusters&name_regex=outbound%5C%7C9080%5C%7C%5C%7C" +
              service + "%5C.")
          .out);
  REQUIRE(clusters);
  REQUIRE((*clusters)["configs"].Size() > 0);
  const auto& sans =
      (*clusters)["configs"][0]["cluster"]["transport_socket_matches"][0]["transport_socket"]
                 ["typed_config"]["common_tls_context"]["combined_validation_context"]
                 ["default_validation_context"]["match_subject_alt_names"];
  for (const auto& san : sans.GetArray()) {
    std::string id = string_member(san, "exact"); // spiffe://TD/ns/NS/sa/SA
    s.trust_domains.push_back(id.substr(9, id.find("/ns/") - 9));
  }
  return s;
}

std::string root_cert_pem(const Store& store, const std::string& ns) {
  auto doc = parse_json(*store.get("configmaps", ns, "istio-ca-root-cert"));
  return string_member(*find_path(*doc, "data"), "root-cert.pem");
}

using Strings = std::vector<std::string>;

// One revision per omission, each with a namespace of one sidecar.
const char* const kRevisions = R"(
  {"name": "root", "ca": "citadel-meshca-root"},
  {"name": "root-no-multiroot", "ca": "citadel-meshca-root", "omit": ["ISTIO_MULTIROOT_MESH"]},
  {"name": "root-no-xds", "ca": "citadel-meshca-root", "omit": ["PROXY_CONFIG_XDS_AGENT"]},
  {"name": "root-no-cacerts", "ca": "citadel-meshca-root", "omit": ["caCertificates"]},
  {"name": "mig", "ca": "meshca-migration", "trust_domain_aliases": ["old.example"]},
  {"name": "mig-no-multiroot", "ca": "meshca-migration", "omit": ["ISTIO_MULTIROOT_MESH"]},
  {"name": "mig-no-xds", "ca": "meshca-migration", "omit": ["PROXY_CONFIG_XDS_AGENT"]},
  {"name": "mig-no-aliases", "ca": "meshca-migration", "omit": ["trustDomainAliases"],
   "trust_domain_aliases": ["old.example"]},
  {"name": "mig-no-caserver", "ca": "meshca-migration", "omit": ["ENABLE_CA_SERVER"]},
  {"name": "meshca-no-caserver", "ca": "meshca", "omit": ["ENABLE_CA_SERVER"]})";

const Strings kNames = {"root",
                        "root-no-multiroot",
                        "root-no-xds",
                        "root-no-cacerts",
                        "mig",
                        "mig-no-multiroot",
                        "mig-no-xds",
                        "mig-no-aliases",
                        "mig-no-caserver",
                        "meshca-no-caserver"};

Loaded omissions_mesh() {
  std::string namespaces;
  for (const auto& name : kNames)
    namespaces += std::string(namespaces.empty() ? "" : ",") + R"({"name": "ns-)" + name +
                  R"(", "labels": {"istio.io/rev": ")" + name +
                  R"("}, "workloads": [{"name": "app"}]})";
  return load_text(std::string(R"({"project_id": "p", "revisions": [)") + kRevisions +
                   R"(], "namespaces": [)" + namespaces + "]}");
}

} // namespace

TEST_CASE("ca options: istiod env and mesh config per CA mode (ENABLE_CA_SERVER=false for every "
          "Mesh CA install)") {
  auto m = load("mixed-trust.json");
  CHECK(istiod_env(*m.store, "rev-citadel").empty());
  CHECK(istiod_env(*m.store, "rev-mcroot") == Strings{"ISTIO_MULTIROOT_MESH=true"});
  CHECK(istiod_env(*m.store, "rev-migration") ==
        Strings{"ISTIO_MULTIROOT_MESH=true", "ENABLE_CA_SERVER=false"});
  CHECK(istiod_env(*m.store, "rev-meshca") == Strings{"ENABLE_CA_SERVER=false"});

  CHECK(mesh_config(*m.store, "rev-citadel") ==
        "trustDomain: cluster.local\n"
        "defaultConfig:\n  discoveryAddress: istiod-rev-citadel.istio-system.svc:15012\n");
  std::string mcroot = mesh_config(*m.store, "rev-mcroot");
  CHECK(
      mcroot.rfind("trustDomain: cluster.local\n"
                   "trustDomainAliases:\n- mixed-project.svc.id.goog\n"
                   "defaultConfig:\n  discoveryAddress: istiod-rev-mcroot.istio-system.svc:15012\n"
                   "  proxyMetadata:\n    PROXY_CONFIG_XDS_AGENT: \"true\"\n"
                   "caCertificates:\n- pem: |\n    -----BEGIN CERTIFICATE-----\n",
                   0) == 0);
  CHECK(count_of(mcroot, "- pem: |") == 2);
  CHECK(mesh_config(*m.store, "rev-migration") ==
        "trustDomain: mixed-project.svc.id.goog\n"
        "trustDomainAliases:\n- cluster.local\n"
        "defaultConfig:\n  discoveryAddress: istiod-rev-migration.istio-system.svc:15012\n"
        "  proxyMetadata:\n    PROXY_CONFIG_XDS_AGENT: \"true\"\n");
  CHECK(mesh_config(*m.store, "rev-meshca") ==
        "trustDomain: mixed-project.svc.id.goog\n"
        "defaultConfig:\n  discoveryAddress: istiod-rev-meshca.istio-system.svc:15012\n");
  // The IstioOperator still says only which CA issues.
  auto iop =
      parse_json(*m.store->get("istiooperators", "istio-system", "installed-state-rev-migration"));
  CHECK(to_json(*find_path(*iop, "spec.values")) == R"({"global":{"caName":"GoogleCA"}})");
}

TEST_CASE("ca options: each omitted setting is missing from istiod's env or the mesh config") {
  auto m = omissions_mesh();
  const std::string multiroot = "ISTIO_MULTIROOT_MESH=true", no_ca = "ENABLE_CA_SERVER=false";
  std::map<std::string, Strings> env = {{"root", {multiroot}},
                                        {"root-no-multiroot", {}},
                                        {"root-no-xds", {multiroot}},
                                        {"root-no-cacerts", {multiroot}},
                                        {"mig", {multiroot, no_ca}},
                                        {"mig-no-multiroot", {no_ca}},
                                        {"mig-no-xds", {multiroot, no_ca}},
                                        {"mig-no-aliases", {multiroot, no_ca}},
                                        {"mig-no-caserver", {multiroot}},
                                        {"meshca-no-caserver", {}}};
  struct MeshText {
    bool xds_agent;
    std::size_t ca_certificates;
    Strings aliases;
  };
  std::map<std::string, MeshText> mesh = {{"root", {true, 2, {"p.svc.id.goog"}}},
                                          {"root-no-multiroot", {true, 2, {"p.svc.id.goog"}}},
                                          {"root-no-xds", {false, 2, {"p.svc.id.goog"}}},
                                          {"root-no-cacerts", {true, 0, {"p.svc.id.goog"}}},
                                          {"mig", {true, 0, {"cluster.local", "old.example"}}},
                                          {"mig-no-multiroot", {true, 0, {"cluster.local"}}},
                                          {"mig-no-xds", {false, 0, {"cluster.local"}}},
                                          {"mig-no-aliases", {true, 0, {"old.example"}}},
                                          {"mig-no-caserver", {true, 0, {"cluster.local"}}},
                                          {"meshca-no-caserver", {false, 0, {}}}};
  for (const auto& name : kNames) {
    INFO(name);
    CHECK(istiod_env(*m.store, name) == env[name]);
    std::string text = mesh_config(*m.store, name);
    CHECK((text.find("PROXY_CONFIG_XDS_AGENT: \"true\"") != std::string::npos) ==
          mesh[name].xds_agent);
    CHECK(count_of(text, "- pem: |") == mesh[name].ca_certificates);
    CHECK((text.find("caCertificates:") != std::string::npos) == (mesh[name].ca_certificates > 0));
    CHECK(mesh_list(text, "trustDomainAliases") == mesh[name].aliases);
  }
}

TEST_CASE("ca options: what the omissions do to the sidecars a revision injects") {
  auto m = omissions_mesh();
  struct Expected {
    int citadel_roots, meshca_roots;
    const char* identity_td;
    Strings trust_domains;
  };
  const Strings citadel_first = {"cluster.local", "p.svc.id.goog"};
  const Strings meshca_first = {"p.svc.id.goog", "cluster.local"};
  std::map<std::string, Expected> expected = {
      {"root", {1, 2, "cluster.local", citadel_first}},
      {"root-no-multiroot", {1, 0, "cluster.local", citadel_first}},
      {"root-no-xds", {1, 0, "cluster.local", citadel_first}},
      {"root-no-cacerts", {1, 0, "cluster.local", citadel_first}},
      {"mig", {1, 2, "p.svc.id.goog", {"p.svc.id.goog", "cluster.local", "old.example"}}},
      {"mig-no-multiroot", {0, 2, "p.svc.id.goog", meshca_first}},
      {"mig-no-xds", {0, 2, "p.svc.id.goog", meshca_first}},
      {"mig-no-aliases", {1, 2, "p.svc.id.goog", {"p.svc.id.goog", "old.example"}}},
      {"mig-no-caserver", {1, 2, "p.svc.id.goog", meshca_first}},
      {"meshca-no-caserver", {0, 2, "p.svc.id.goog", {"p.svc.id.goog"}}}};
  for (const auto& name : kNames) {
    INFO(name);
    const std::string ns = "ns-" + name;
    Sidecar s = sidecar_of(*m.mesh, *m.store, ns);
    CHECK(s.citadel_roots == expected[name].citadel_roots);
    CHECK(s.meshca_roots == expected[name].meshca_roots);
    CHECK(s.identity ==
          "spiffe://" + std::string(expected[name].identity_td) + "/ns/" + ns + "/sa/app");
    CHECK(s.trust_domains == expected[name].trust_domains);
    // istiod writes the same bundle into the namespace's istio-ca-root-cert.
    CHECK(static_cast<int>(read_pems(root_cert_pem(*m.store, ns)).size()) ==
          expected[name].citadel_roots + expected[name].meshca_roots);
  }
}

TEST_CASE("ca options: the trust model, including a migration revision after its restart") {
  Omissions none, no_multiroot, no_xds, no_cacerts, no_aliases;
  no_multiroot.add(CaSetting::multiroot_mesh);
  no_xds.add(CaSetting::xds_agent);
  no_cacerts.add(CaSetting::ca_certificates);
  no_aliases.add(CaSetting::trust_domain_aliases);
  CHECK(trusts_citadel(CaMode::meshca_migration, none));
  CHECK_FALSE(trusts_citadel(CaMode::meshca_migration, no_xds));
  CHECK(trusts_meshca(CaMode::meshca_migration, no_multiroot));
  CHECK_FALSE(trusts_meshca(CaMode::citadel_meshca_root, no_cacerts));
  CHECK(trusts_citadel(CaMode::citadel_meshca_root, no_cacerts));
  CHECK_FALSE(trusts_citadel(CaMode::meshca_final, none));
  CHECK(trust_domains(CaMode::meshca_final, "cluster.local", "p.svc.id.goog", {}, no_aliases) ==
        Strings{"p.svc.id.goog"});
  CHECK(trust_domains(CaMode::citadel_meshca_root, "cluster.local", "p.svc.id.goog", {},
                      no_aliases) == Strings{"cluster.local", "p.svc.id.goog"});
  for (CaSetting setting : all_ca_settings()) {
    CHECK_FALSE(mode_sets(CaMode::citadel, setting));
    CHECK(mode_sets(CaMode::meshca_final, setting) == mode_sets(CaMode::meshca_migration, setting));
  }
}

TEST_CASE("ca options: the preflight scenario") {
  auto m = load("preflight.json");
  CHECK(istiod_env(*m.store, "asm-old").empty());
  CHECK(istiod_env(*m.store, "asm-mcroot").empty()); // ISTIO_MULTIROOT_MESH omitted
  CHECK(istiod_env(*m.store, "asm-meshca") ==
        Strings{"ISTIO_MULTIROOT_MESH=true", "ENABLE_CA_SERVER=false"});
  CHECK(mesh_list(mesh_config(*m.store, "asm-meshca"), "trustDomainAliases").empty());
  CHECK(count_of(mesh_config(*m.store, "asm-mcroot"), "- pem: |") == 2);
  CHECK(pods(*m.store, "app-a", "sleep-").size() == 2);
  CHECK(annotation(pods(*m.store, "app-a")[0], "istio.io/rev") == "asm-old");
  CHECK(annotation(pods(*m.store, "app-b")[0], "istio.io/rev") == "asm-old");
  CHECK(label(pods(*m.store, "istio-system", "istio-ingressgateway-")[0], "istio.io/rev") ==
        "asm-old");
  CHECK_FALSE(m.store->get("configmaps", "app-nocm", "istio-ca-root-cert"));
  auto web = pods(*m.store, "app-nocm", "web-");
  REQUIRE(web.size() == 1);
  CHECK(string_at(web[0], "status.phase") == "Pending");

  // Namespaces moved to the misconfigured revisions show the effects.
  m.mesh->start();
  set_namespace_labels(*m.store, "app-a", {{"istio.io/rev", "asm-mcroot"}});
  set_namespace_labels(*m.store, "app-b", {{"istio.io/rev", "asm-meshca"}});
  restart(*m.store, "deployments", "app-a", "sleep");
  restart(*m.store, "deployments", "app-b", "httpbin");
  auto moved = [&](const std::string& ns, const std::string& revision, std::size_t count) {
    auto list = pods(*m.store, ns);
    return list.size() == count &&
           std::all_of(list.begin(), list.end(), [&](const rapidjson::Document& p) {
             return annotation(p, "istio.io/rev") == revision &&
                    string_at(p, "status.phase") == "Running";
           });
  };
  CHECK(eventually(
      [&] { return moved("app-a", "asm-mcroot", 2) && moved("app-b", "asm-meshca", 1); }));
  std::string sleep = string_at(pods(*m.store, "app-a")[0], "metadata.name");
  CHECK(read_pems(dump_secret(*m.mesh, "app-a", sleep, "ROOTCA",
                              "secret.validation_context.trusted_ca.inline_bytes"))
            .size() == 1);
  Sidecar httpbin = sidecar_of(*m.mesh, *m.store, "app-b", "httpbin");
  CHECK(httpbin.citadel_roots == 1);
  CHECK(httpbin.meshca_roots == 2);
  CHECK(httpbin.identity == "spiffe://preflight-project.svc.id.goog/ns/app-b/sa/httpbin");
}
