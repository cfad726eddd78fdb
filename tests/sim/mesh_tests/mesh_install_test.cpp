// POST /simctl/install (Mesh::install): asmcli's part at run time. A revision and its gateways
// get what a scenario revision gets at load; bad bodies and clashes change nothing; the objects
// are the simulator's own, so the mutation log stays empty.

#include "mesh/controller_view.h"
#include "mesh/injection.h"
#include "mesh/mesh_routes.h"
#include "mesh_test_support.h"
#include "pem_verify.h"

#include <algorithm>
#include <doctest/doctest.h>

using namespace sim;
using namespace sim::mesh;
using namespace sim::mesh::test;

namespace {

const std::string kNew = R"({"revision": {"name": "asm-new", "ca": "citadel-meshca-root"}})";

int status_int(const Store& store, const char* plural, const std::string& ns,
               const std::string& name, const char* field) {
  auto json = store.get(plural, ns, name);
  if (!json)
    return -1;
  const auto doc = parse_json(*json); // kept alive while `v` points into it
  if (!doc)
    return -1;
  const auto* v = find_path(*doc, std::string("status.") + field);
  return v && v->IsInt() ? v->GetInt() : 0;
}

bool rolled_out(const Store& store, const std::string& ns, const std::string& name, int replicas) {
  auto json = store.get("deployments", ns, name);
  if (!json)
    return false;
  auto doc = parse_json(*json);
  const auto* observed = find_path(*doc, "status.observedGeneration");
  return observed && observed->GetInt64() == find_path(*doc, "metadata.generation")->GetInt64() &&
         status_int(store, "deployments", ns, name, "updatedReplicas") == replicas &&
         status_int(store, "deployments", ns, name, "replicas") == replicas &&
         status_int(store, "deployments", ns, name, "availableReplicas") == replicas;
}

std::string status_message(const ApiResponse& response) {
  auto doc = parse_json(response.body);
  return doc ? string_at(*doc, "message") : response.body;
}

std::size_t roots_of(Mesh& mesh, const std::string& ns, const std::string& pod) {
  auto dump = parse_json(
      agent_get(mesh, ns, pod, "config_dump?resource=dynamic_active_secrets&name_regex=ROOTCA")
          .out);
  if (!dump || !(*dump)["configs"].IsArray() || (*dump)["configs"].Empty())
    return 0;
  return read_pems(decode_base64(string_at((*dump)["configs"][0],
                                           "secret.validation_context.trusted_ca.inline_bytes")))
      .size();
}

} // namespace

TEST_CASE("install: migrate.json is a plain Citadel mesh with nothing installed for the "
          "migration") {
  auto m = load("migrate.json");
  auto all = pods(*m.store, "");
  CHECK(all.size() < 15);
  for (const auto& pod : all) {
    INFO(string_at(pod, "metadata.name"));
    CHECK(pod_is_ready(pod));
    const std::string ns = string_at(pod, "metadata.namespace");
    if (ns != "kube-system" && label(pod, "app") != "istiod") {
      CHECK(annotation(pod, "istio.io/rev") == "asm-old");
      CHECK(annotation(pod, kSimCaModeAnnotation) == "citadel");
    }
  }
  CHECK(pods(*m.store, "shop", "frontend-").size() == 2);
  CHECK(pods(*m.store, "shop", "cart-").size() == 1);
  CHECK(pods(*m.store, "pay", "api-").size() == 2);
  CHECK(pods(*m.store, "ops", "worker-").size() == 1);
  CHECK(pods(*m.store, "istio-system", "istio-ingressgateway-").size() == 1);
  CHECK(m.store->get("secrets", "istio-system", "cacerts"));
  CHECK(m.store->get("secrets", "istio-system", "istio-ca-secret"));
  auto webhooks = m.store->list("mutatingwebhookconfigurations");
  CHECK(webhooks.size() == 2); // istio-revision-tag-default, istio-sidecar-injector-asm-old
  CHECK(m.store->list("deployments", "istio-system").size() == 2); // istiod-asm-old, gateway
}

TEST_CASE("install: a revision gets istiod, its ConfigMaps and webhook, and injects the "
          "namespaces that select it") {
  auto m = load("migrate.json");
  m.mesh->start();
  CHECK_FALSE(m.store->get("deployments", "istio-system", "istiod-asm-new"));

  auto response = m.mesh->install(kNew);
  INFO(response.body);
  REQUIRE(response.status == 201);
  auto summary = parse_json(response.body);
  REQUIRE(summary);
  CHECK(string_at(*summary, "kind") == "InstallResult");
  CHECK(string_at(*summary, "revision") == "asm-new");
  CHECK(string_at(*summary, "ca") == "citadel-meshca-root");
  CHECK((*summary)["istiodReady"].GetBool());
  CHECK((*summary)["gateways"].Empty());
  CHECK((*summary)["created"].Size() >= 8);

  struct Object {
    const char *plural, *ns, *name;
  };
  for (const Object& o :
       {Object{"deployments", "istio-system", "istiod-asm-new"},
        Object{"services", "istio-system", "istiod-asm-new"},
        Object{"horizontalpodautoscalers", "istio-system", "istiod-asm-new"},
        Object{"poddisruptionbudgets", "istio-system", "istiod-asm-new"},
        Object{"istiooperators", "istio-system", "installed-state-asm-new"},
        Object{"configmaps", "istio-system", "istio-asm-new"},
        Object{"configmaps", "istio-system", "istio-sidecar-injector-asm-new"},
        Object{"mutatingwebhookconfigurations", "", "istio-sidecar-injector-asm-new"}}) {
    INFO(o.plural << " " << o.ns << "/" << o.name);
    CHECK(m.store->get(o.plural, o.ns, o.name));
  }
  auto mesh_config = parse_json(*m.store->get("configmaps", "istio-system", "istio-asm-new"));
  CHECK(string_at(*mesh_config, "data.mesh").find("migrate-project.svc.id.goog") !=
        std::string::npos);
  auto istiod = pods(*m.store, "istio-system", "istiod-asm-new-");
  REQUIRE(istiod.size() == 1);
  CHECK(pod_is_ready(istiod[0]));
  // The old revision and the default tag are untouched.
  auto tag =
      parse_json(*m.store->get("mutatingwebhookconfigurations", "", "istio-revision-tag-default"));
  CHECK(label(*tag, "istio.io/rev") == "asm-old");

  // A namespace labelled with the new revision gets its sidecars on the next restart.
  set_namespace_labels(*m.store, "ops", {{"istio.io/rev", "asm-new"}});
  restart(*m.store, "deployments", "ops", "worker");
  CHECK(eventually([&] {
    auto worker = pods(*m.store, "ops", "worker-");
    return rolled_out(*m.store, "ops", "worker", 1) && worker.size() == 1 &&
           annotation(worker[0], "istio.io/rev") == "asm-new";
  }));
  auto worker = pods(*m.store, "ops", "worker-");
  REQUIRE(worker.size() == 1);
  CHECK(annotation(worker[0], kSimCaModeAnnotation) == "citadel-meshca-root");
  CHECK(roots_of(*m.mesh, "ops", string_at(worker[0], "metadata.name")) == 3);
  // Namespaces still on the default tag keep asm-old.
  auto shop_pod = m.store->create(
      "pods", "shop", R"({"metadata":{"name":"probe"},"spec":{"containers":[{"name":"app"}]}})",
      Origin::client);
  REQUIRE(std::holds_alternative<std::string>(shop_pod));
  auto probe = parse_json(std::get<std::string>(shop_pod));
  CHECK(annotation(*probe, "istio.io/rev") == "asm-old");
  CHECK(annotation(*probe, kSimCaModeAnnotation) == "citadel");
}

TEST_CASE("install: gateways on the new revision are created, injected by it and become ready") {
  auto m = load("migrate.json");
  m.mesh->start();
  auto frontend = string_at(pods(*m.store, "shop", "frontend-")[0], "metadata.name");
  CHECK(agent_get(*m.mesh, "shop", frontend, "config_dump").out.find("edge-gw.shop.svc") ==
        std::string::npos); // (and the dump is cached now)

  auto response = m.mesh->install(
      R"({"revision": {"name": "asm-new", "ca": "meshca-migration"},
          "gateways": [{"name": "istio-ingressgateway-new", "replicas": 2},
                       {"name": "edge-gw", "namespace": "shop", "revision": "asm-new"}]})");
  INFO(response.body);
  REQUIRE(response.status == 201);
  auto summary = parse_json(response.body);
  REQUIRE((*summary)["gateways"].Size() == 2);
  CHECK(string_at((*summary)["gateways"][0], "namespace") == "istio-system");
  CHECK(string_at((*summary)["gateways"][0], "name") == "istio-ingressgateway-new");

  CHECK(eventually([&] {
    return rolled_out(*m.store, "istio-system", "istio-ingressgateway-new", 2) &&
           rolled_out(*m.store, "shop", "edge-gw", 1);
  }));
  CHECK(m.store->get("services", "shop", "edge-gw"));
  auto gateways = pods(*m.store, "istio-system", "istio-ingressgateway-new-");
  REQUIRE(gateways.size() == 2);
  for (const auto& gw : gateways) {
    CHECK(label(gw, "istio.io/rev") == "asm-new");
    CHECK(annotation(gw, "istio.io/rev") == "asm-new");
    CHECK(annotation(gw, kSimCaModeAnnotation) == "meshca-migration");
    CHECK(pod_is_ready(gw));
  }
  auto info =
      agent_get(*m.mesh, "istio-system", string_at(gateways[0], "metadata.name"), "server_info");
  CHECK(info.out.find("router~") != std::string::npos);
  // The old gateway is untouched, and sidecars now see the new gateways' Services.
  auto old = pods(*m.store, "istio-system", "istio-ingressgateway-");
  CHECK(std::count_if(old.begin(), old.end(), [](const auto& pod) {
          return annotation(pod, "istio.io/rev") == "asm-old";
        }) == 1);
  CHECK(agent_get(*m.mesh, "shop", frontend, "config_dump").out.find("edge-gw.shop.svc") !=
        std::string::npos);
}

TEST_CASE("install: a bad body or a clash is refused and changes nothing") {
  auto m = load("migrate.json"); // controllers not started: nothing changes by itself
  const auto before = m.store->resource_version();
  auto refused = [&](const std::string& body, int status, const std::string& message) {
    auto response = m.mesh->install(body);
    INFO(body);
    INFO(response.body);
    CHECK(response.status == status);
    auto doc = parse_json(response.body);
    REQUIRE(doc);
    CHECK(string_at(*doc, "kind") == "Status");
    CHECK(status_message(response).find(message) != std::string::npos);
    CHECK(m.store->resource_version() == before);
  };
  refused("{", 400, "install: invalid JSON at offset");
  refused("[]", 400, "install: ");
  refused("{}", 400, "install: revision: required");
  refused(R"({"revision": {"name": "asm-new"}, "tags": {}})", 400, "tags");
  refused(R"({"revision": {"name": "asm-new", "ca": "vault"}})", 400,
          "ca \"vault\" is not one of citadel, citadel-meshca-root");
  refused(R"({"revision": {"name": "Not_A_Label"}})", 400, "Not_A_Label");
  refused(
      R"({"revision": {"name": "asm-new"}, "gateways": [{"name": "gw", "revision": "asm-old"}]})",
      400, "revision \"asm-old\" is not the revision being installed (\"asm-new\")");
  refused(R"({"revision": {"name": "asm-new"}, "gateways": [{"name": "gw", "namespace": "nope"}]})",
          400, "install: gateways[0]: namespace \"nope\" does not exist");
  refused(R"({"revision": {"name": "asm-new"}, "gateways": [{"name": "gw"}, {"name": "gw"}]})", 400,
          "gateway \"istio-system/gw\" is listed twice");
  refused(R"({"revision": {"name": "asm-new", "ca": "meshca-final"}})", 400,
          "is meshca-final, which needs neither cacerts nor istio-ca-secret");
  // 409: the scenario's revision, or an object the install would create, exists.
  refused(R"({"revision": {"name": "asm-old"}})", 409,
          "install: revision \"asm-old\" is already installed");
  refused(R"({"revision": {"name": "asm-new"}, "gateways": [{"name": "istio-ingressgateway"}]})",
          409, "would create");
  CHECK(pods(*m.store, "istio-system", "istiod-asm-new").empty());

  // The refused installs left no trace: the revision installs now, once.
  auto first = m.mesh->install(kNew);
  CHECK(first.status == 201);
  auto again = m.mesh->install(kNew);
  CHECK(again.status == 409);
  CHECK(status_message(again) == "install: revision \"asm-new\" is already installed");
}

TEST_CASE("install: over HTTP through the API server, and not in the mutation log") {
  auto m = load("migrate.json");
  Faults faults;
  MutationLog log{""};
  Stats stats;
  ApiServer api{*m.store, faults, log, stats};
  add_mesh_routes(*m.mesh, api, faults);
  auto call = [&](const std::string& method, const std::string& target,
                  const std::string& body = {},
                  const std::string& content_type = "application/json") {
    ApiRequest request;
    request.method = method;
    parse_target(target, request);
    request.body = body;
    request.content_type = content_type;
    request.accept = "application/json";
    return api.handle(request, classify(request));
  };

  auto installed = call("POST", "/simctl/install", kNew);
  INFO(installed.body);
  CHECK(installed.status == 201);
  CHECK(installed.content_type == "application/json");
  CHECK(call("GET", "/apis/apps/v1/namespaces/istio-system/deployments/istiod-asm-new").status ==
        200);
  CHECK(call("GET", "/simctl/log").body.empty());

  auto wrong_method = call("GET", "/simctl/install");
  CHECK(wrong_method.status == 405);
  CHECK(status_message(wrong_method) == "use POST /simctl/install");
  auto bad = call("POST", "/simctl/install", R"({"revision": {"name": "asm-2", "ca": "x"}})");
  CHECK(bad.status == 400);
  CHECK(string_at(*parse_json(bad.body), "reason") == "BadRequest");
  CHECK(call("POST", "/simctl/install", kNew).status == 409);
  CHECK(call("GET", "/simctl/log").body.empty());
  auto unknown = call("GET", "/simctl/nothing");
  CHECK(unknown.status == 404);
  CHECK(status_message(unknown).find("/simctl/install") != std::string::npos);
  CHECK(call("GET", "/meshca/spiffe_bundle.json").body == m.mesh->spiffe_bundle_json());

  // A client's change is logged as usual.
  CHECK(call("PATCH", "/api/v1/namespaces/ops",
             R"({"metadata":{"labels":{"istio.io/rev":"asm-new"}}})",
             "application/merge-patch+json")
            .status == 200);
  auto lines = call("GET", "/simctl/log").body;
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 1);
  CHECK(lines.find("\"verb\":\"patch\"") != std::string::npos);
}
