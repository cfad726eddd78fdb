#include "mesh/injection.h"
#include "mesh_test_support.h"
#include "pem_verify.h"

#include <doctest/doctest.h>
#include <filesystem>

using namespace sim;
using namespace sim::mesh;
using namespace sim::mesh::test;

namespace {
int count_status(const Store& store, const char* plural, const std::string& ns,
                 const std::string& name, const char* field) {
  auto json = store.get(plural, ns, name);
  if (!json)
    return -1;
  auto doc = parse_json(*json);
  const auto* v = find_path(*doc, std::string("status.") + field);
  return v && v->IsInt() ? v->GetInt() : 0;
}

std::string rootca_of(Mesh& mesh, const std::string& ns, const std::string& pod) {
  auto result =
      agent_get(mesh, ns, pod, "config_dump?resource=dynamic_active_secrets&name_regex=ROOTCA");
  auto doc = parse_json(result.out);
  if (!doc || !(*doc)["configs"].IsArray() || (*doc)["configs"].Empty())
    return {};
  return decode_base64(
      string_at((*doc)["configs"][0], "secret.validation_context.trusted_ca.inline_bytes"));
}

// The controller has seen the object's latest spec.
bool observed(const rapidjson::Value& object) {
  const auto* observed_generation = find_path(object, "status.observedGeneration");
  return observed_generation &&
         observed_generation->GetInt64() == find_path(object, "metadata.generation")->GetInt64();
}

bool deployment_rolled_out(const Store& store, const std::string& ns, const std::string& name,
                           int replicas) {
  auto json = store.get("deployments", ns, name);
  auto doc = parse_json(*json);
  long long generation = find_path(*doc, "metadata.generation")->GetInt64();
  const auto* observed = find_path(*doc, "status.observedGeneration");
  return observed && observed->GetInt64() == generation &&
         count_status(store, "deployments", ns, name, "updatedReplicas") == replicas &&
         count_status(store, "deployments", ns, name, "replicas") == replicas &&
         count_status(store, "deployments", ns, name, "availableReplicas") == replicas;
}
} // namespace

TEST_CASE("mesh: the demo loads Running, injected per namespace labels") {
  auto pki_dir =
      std::filesystem::temp_directory_path() / ("meshca-sim-pki-" + std::to_string(::getpid()));
  auto m = load("demo.json", {0, pki_dir.string()});
  CHECK(std::filesystem::exists(pki_dir / "spiffe_bundle.json"));
  CHECK(std::filesystem::exists(pki_dir / "citadel-root.pem"));
  std::filesystem::remove_all(pki_dir);
  for (auto& pod : pods(*m.store, "")) {
    INFO(string_at(pod, "metadata.name"));
    CHECK(string_at(pod, "status.phase") == "Running");
  }
  auto productpage = pods(*m.store, "bookinfo", "productpage-");
  REQUIRE(productpage.size() == 2);
  CHECK(annotation(productpage[0], "istio.io/rev") == "asm-1-19");
  CHECK(label(productpage[0], "security.istio.io/tlsMode") == "istio");
  CHECK(pods(*m.store, "shop", "cart-").size() == 3);
  CHECK(pods(*m.store, "observability", "log-agent-").size() == 3);
  CHECK(pods(*m.store, "observability", "collector-").size() == 1);
  CHECK(pods(*m.store, "batch", "db-migrate-").size() == 1);
  CHECK(annotation(pods(*m.store, "batch", "debug-shell")[0], "istio.io/rev") == "asm-1-19");
  CHECK(annotation(pods(*m.store, "batch", "legacy-batch-")[0], "istio.io/rev").empty());
  CHECK(annotation(pods(*m.store, "plain")[0], "sidecar.istio.io/status").empty());
  auto gateways = pods(*m.store, "istio-system", "istio-ingressgateway-");
  REQUIRE(gateways.size() == 2);
  CHECK(label(gateways[0], "istio.io/rev") == "asm-1-19");
  CHECK(annotation(gateways[0], "istio.io/rev") == "asm-1-19");
  CHECK(m.store->get("secrets", "istio-system", "cacerts"));
  CHECK(m.store->get("configmaps", "bookinfo", "istio-ca-root-cert"));
  CHECK_FALSE(m.store->get("configmaps", "plain", "istio-ca-root-cert"));
  CHECK(m.store->get("istiooperators", "istio-system", "installed-state-asm-1-19"));
  CHECK(m.store->get("mutatingwebhookconfigurations", "", "istio-revision-tag-default"));
  CHECK(deployment_rolled_out(*m.store, "bookinfo", "reviews", 3));
  auto spiffe = parse_json(m.mesh->spiffe_bundle_json());
  REQUIRE(spiffe);
  CHECK((*spiffe)["keys"].Size() == 2);
}

TEST_CASE("mesh: exec answers pilot-agent like a sidecar does") {
  auto m = load("mixed-trust.json");
  std::string pod = string_at(pods(*m.store, "ns-citadel")[0], "metadata.name");
  auto full = agent_get(*m.mesh, "ns-citadel", pod, "config_dump");
  CHECK(full.exit_code == 0);
  CHECK(full.out.back() == '\n');
  CHECK(parse_json(full.out));
  CHECK(agent_get(*m.mesh, "ns-citadel", pod, "/config_dump?resource=dynamic_active_secrets")
            .exit_code == 0);
  auto missing = agent_get(*m.mesh, "ns-citadel", pod, "config_dump?resource=nothing");
  CHECK(missing.exit_code == 0); // 404 is printed, not an error
  CHECK(missing.out == "nothing not found in config dump\n");
  auto bad = agent_get(*m.mesh, "ns-citadel", pod, "config_dump?resource=bootstrap");
  CHECK(bad.exit_code == 255);
  CHECK(bad.err.find("received unsuccessful status code 400") != std::string::npos);
  auto app =
      m.mesh->exec({"ns-citadel", pod, "app-a", {"pilot-agent", "request", "GET", "config_dump"}});
  CHECK(app.exit_code == 127);
  CHECK(app.err.find("\"pilot-agent\": executable file not found in $PATH") != std::string::npos);
  auto curl =
      m.mesh->exec({"ns-citadel", pod, "istio-proxy", {"curl", "localhost:15000/config_dump"}});
  CHECK(curl.exit_code == 127);
  auto usage = m.mesh->exec({"ns-citadel", pod, "istio-proxy", {"pilot-agent", "request", "GET"}});
  CHECK(usage.exit_code == 255);
  CHECK(usage.err == "Error: accepts between 2 and 3 arg(s), received 1\n");

  // Each namespace's revision decides what its pods trust.
  auto trust_count = [&](const std::string& ns) {
    std::string name = string_at(pods(*m.store, ns)[0], "metadata.name");
    return read_pems(rootca_of(*m.mesh, ns, name)).size();
  };
  CHECK(trust_count("ns-citadel") == 1);
  CHECK(trust_count("ns-mcroot") == 3);
  CHECK(trust_count("ns-migration") == 3);
  // ns-meshca runs old proxies: resource= is ignored and the full dump comes back.
  std::string old = string_at(pods(*m.store, "ns-meshca")[0], "metadata.name");
  auto old_dump = parse_json(
      agent_get(*m.mesh, "ns-meshca", old, "config_dump?resource=dynamic_active_secrets").out);
  CHECK((*old_dump)["configs"].Size() == 6);
}

TEST_CASE("mesh: relabel and restart moves pods to the new revision") {
  auto m = load("demo.json", {1, ""});
  m.mesh->start();
  set_namespace_labels(*m.store, "bookinfo", {{"istio.io/rev", "asm-1-19-mcroot"}});
  restart(*m.store, "deployments", "bookinfo", "reviews");
  CHECK(eventually([&] { return deployment_rolled_out(*m.store, "bookinfo", "reviews", 3); }));
  auto reviews = pods(*m.store, "bookinfo", "reviews-");
  REQUIRE(reviews.size() == 3);
  for (auto& pod : reviews) {
    CHECK(annotation(pod, "istio.io/rev") == "asm-1-19-mcroot");
    CHECK(annotation(pod, kSimCaModeAnnotation) == "citadel-meshca-root");
    CHECK(read_pems(rootca_of(*m.mesh, "bookinfo", string_at(pod, "metadata.name"))).size() == 3);
  }
  // Untouched workloads keep the revision they were injected with.
  CHECK(annotation(pods(*m.store, "bookinfo", "details-")[0], "istio.io/rev") == "asm-1-19");
  CHECK(m.store->list("replicasets", "bookinfo").size() == 5); // the old reviews set is kept at 0

  // StatefulSet RollingUpdate replaces every pod; OnDelete waits for deletes.
  restart(*m.store, "statefulsets", "shop", "cart");
  restart(*m.store, "statefulsets", "shop", "redis");
  CHECK(eventually([&] {
    auto json = parse_json(*m.store->get("statefulsets", "shop", "cart"));
    return observed(*json) &&
           string_at(*json, "status.currentRevision") ==
               string_at(*json, "status.updateRevision") &&
           count_status(*m.store, "statefulsets", "shop", "cart", "updatedReplicas") == 3 &&
           count_status(*m.store, "statefulsets", "shop", "cart", "readyReplicas") == 3;
  }));
  CHECK(eventually(
      [&] { return observed(*parse_json(*m.store->get("statefulsets", "shop", "redis"))); }));
  auto redis = parse_json(*m.store->get("statefulsets", "shop", "redis"));
  CHECK(string_at(*redis, "status.currentRevision") != string_at(*redis, "status.updateRevision"));
  std::string old_uid = string_at(pods(*m.store, "shop", "redis-0")[0], "metadata.uid");
  m.store->remove("pods", "shop", "redis-0", Origin::client);
  CHECK(eventually([&] {
    auto p = pods(*m.store, "shop", "redis-0");
    return p.size() == 1 && string_at(p[0], "metadata.uid") != old_uid &&
           string_at(p[0], "status.phase") == "Running";
  }));

  // DaemonSet rolls one node at a time.
  restart(*m.store, "daemonsets", "observability", "log-agent");
  CHECK(eventually([&] {
    return observed(*parse_json(*m.store->get("daemonsets", "observability", "log-agent"))) &&
           count_status(*m.store, "daemonsets", "observability", "log-agent",
                        "updatedNumberScheduled") == 3 &&
           count_status(*m.store, "daemonsets", "observability", "log-agent", "numberAvailable") ==
               3;
  }));
}

TEST_CASE("mesh: a webhook whose istiod cannot answer refuses pods and stalls the rollout") {
  auto m = load("broken-webhook.json");
  m.mesh->start();
  auto direct = m.store->create(
      "pods", "orphaned",
      R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}})",
      Origin::client);
  auto* error = std::get_if<Store::WriteError>(&direct);
  REQUIRE(error);
  CHECK(error->http_status == 500);
  CHECK(
      error->message ==
      "Internal error occurred: failed calling webhook "
      "\"rev.namespace.sidecar-injector.istio.io\": "
      "failed to call webhook: Post \"https://istiod-asm-gone.istio-system.svc:443/inject/cluster/"
      "Kubernetes/net/network1?timeout=10s\": service \"istiod-asm-gone\" not found");
  CHECK(pods(*m.store, "orphaned").empty());
  CHECK(pods(*m.store, "waiting").empty());
  auto stuck = parse_json(*m.store->get("deployments", "waiting", "stuck"));
  CHECK(to_json(*stuck).find("no endpoints available for service \\\"istiod-asm-sick\\\"") !=
        std::string::npos);
  CHECK(pods(*m.store, "healthy").size() == 2);

  // Relabelling a healthy namespace to the broken revision: its restart stalls, old pods stay.
  set_namespace_labels(*m.store, "healthy", {{"istio.io/rev", "asm-gone"}});
  restart(*m.store, "deployments", "healthy", "ok");
  CHECK(eventually([&] {
    auto rs = m.store->list("replicasets", "healthy");
    return rs.size() == 2 &&
           count_status(*m.store, "deployments", "healthy", "ok", "updatedReplicas") == 0 &&
           to_json(*parse_json(*m.store->get("deployments", "healthy", "ok")))
                   .find("FailedCreate") != std::string::npos;
  }));
  CHECK(pods(*m.store, "healthy").size() == 2);
  for (auto& pod : pods(*m.store, "healthy"))
    CHECK(string_at(pod, "status.phase") == "Running");
}

TEST_CASE(
    "mesh: deleting the CA secrets and restarting istiod drops the Citadel root for new pods") {
  auto m = load("mixed-trust.json");
  m.mesh->start();
  std::string before = string_at(pods(*m.store, "ns-migration")[0], "metadata.name");
  m.store->remove("secrets", "istio-system", "istio-ca-secret", Origin::client);
  restart(*m.store, "deployments", "istio-system", "istiod-rev-migration");
  CHECK(eventually(
      [&] { return deployment_rolled_out(*m.store, "istio-system", "istiod-rev-migration", 1); }));
  restart(*m.store, "deployments", "ns-migration", "app-c");
  CHECK(eventually([&] { return deployment_rolled_out(*m.store, "ns-migration", "app-c", 2); }));
  for (auto& pod : pods(*m.store, "ns-migration")) {
    CHECK(annotation(pod, kSimCaModeAnnotation) == "meshca-final");
    auto roots = read_pems(rootca_of(*m.mesh, "ns-migration", string_at(pod, "metadata.name")));
    CHECK(roots.size() == 2);
  }
  CHECK(pods(*m.store, "ns-migration", before).empty());
  // A citadel revision is unaffected.
  restart(*m.store, "deployments", "ns-citadel", "app-a");
  CHECK(eventually([&] { return deployment_rolled_out(*m.store, "ns-citadel", "app-a", 2); }));
  CHECK(annotation(pods(*m.store, "ns-citadel")[0], kSimCaModeAnnotation) == "citadel");
}

TEST_CASE("mesh: stuck rollouts, paused deployments, bare pods and cascade delete") {
  auto m = load("workload-kinds.json");
  m.mesh->start();
  m.mesh->set_stuck_rollout("kinds", "web", true);
  restart(*m.store, "deployments", "kinds", "web");
  restart(*m.store, "deployments", "kinds", "paused");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto web = parse_json(*m.store->get("deployments", "kinds", "web"));
  CHECK(find_path(*web, "status.observedGeneration")->GetInt64() ==
        find_path(*web, "metadata.generation")->GetInt64());
  CHECK(count_status(*m.store, "deployments", "kinds", "web", "updatedReplicas") == 0);
  CHECK(m.store->list("replicasets", "kinds").size() == 3); // web, paused, no-sidecar: no new set
  auto paused = parse_json(*m.store->get("deployments", "kinds", "paused"));
  CHECK(to_json(*paused).find("DeploymentPaused") != std::string::npos);
  m.mesh->set_stuck_rollout("kinds", "web", false);
  CHECK(eventually([&] { return deployment_rolled_out(*m.store, "kinds", "web", 3); }));

  CHECK(pods(*m.store, "kinds", "bare").size() == 1);
  CHECK(pods(*m.store, "kinds", "once-").size() == 1);
  m.store->remove("deployments", "kinds", "web", Origin::client);
  CHECK(eventually([&] {
    return pods(*m.store, "kinds", "web-").empty() &&
           m.store->list("replicasets", "kinds").size() == 2;
  }));
  m.store->remove("jobs", "kinds", "once", Origin::client);
  CHECK(eventually([&] { return pods(*m.store, "kinds", "once-").empty(); }));
}

TEST_CASE("mesh: native sidecars and unrevisioned installs") {
  auto native = load("native-sidecar.json");
  auto web = pods(*native.store, "apps", "web-");
  REQUIRE(web.size() == 2);
  const auto& inits = *find_path(web[0], "spec.initContainers");
  CHECK(string_member(inits[inits.Size() - 1], "name") == "istio-proxy");
  CHECK(find_path(web[0], "status.initContainerStatuses"));
  auto dump = agent_get(*native.mesh, "apps", string_at(web[0], "metadata.name"),
                        "config_dump?resource=dynamic_active_secrets");
  CHECK(dump.exit_code == 0);

  auto plain = load("unrevisioned.json");
  auto api = pods(*plain.store, "legacy", "api-");
  REQUIRE(api.size() == 2);
  CHECK(annotation(api[0], "istio.io/rev") == "default");
  CHECK(annotation(pods(*plain.store, "legacy", "worker-")[0], "istio.io/rev").empty());
  CHECK(annotation(pods(*plain.store, "opted-out")[0], "istio.io/rev").empty());
  CHECK(plain.store->get("deployments", "istio-system", "istiod"));
  CHECK(plain.store->get("mutatingwebhookconfigurations", "", "istio-sidecar-injector"));
}

TEST_CASE("mesh: a bad scenario is an error message, not a crash") {
  Store store;
  auto result = Mesh::load(scenario_path("no-such.json"), store, {});
  REQUIRE(std::holds_alternative<std::string>(result));
  CHECK(std::get<std::string>(result).find("cannot be read") != std::string::npos);
  auto bad = Mesh::load_text(R"({"revisions":[{"name":"r","ca":"x"}]})", store, {});
  CHECK(std::get<std::string>(bad).find("revisions[0]: ca \"x\"") != std::string::npos);
}

TEST_CASE("mesh: a rollout that cannot progress reports ProgressDeadlineExceeded") {
  auto m = load_text(R"({"progress_deadline_seconds": 1,
                         "revisions": [{"name": "r1"}, {"name": "gone", "istiod": "absent"}],
                         "namespaces": [{"name": "app", "labels": {"istio.io/rev": "r1"},
                                         "workloads": [{"name": "web", "replicas": 2}]}]})");
  m.mesh->start();
  set_namespace_labels(*m.store, "app", {{"istio.io/rev", "gone"}});
  restart(*m.store, "deployments", "app", "web");
  CHECK(eventually(
      [&] {
        return to_json(*parse_json(*m.store->get("deployments", "app", "web")))
                   .find("ProgressDeadlineExceeded") != std::string::npos;
      },
      4000));
  CHECK(pods(*m.store, "app", "web-").size() >= 1); // the old pods keep serving
}
