// Pods that mount a missing ConfigMap (a sidecar's istiod-ca-cert without istio-ca-root-cert):
// Pending and never Ready, with kubelet's FailedMount event, until the ConfigMap is created.
#include "mesh_test_support.h"
#include "server/table.h"

#include <algorithm>
#include <doctest/doctest.h>

using namespace sim;
using namespace sim::mesh;
using namespace sim::mesh::test;

namespace {

const char* const kMessage =
    "MountVolume.SetUp failed for volume \"istiod-ca-cert\" : configmap \"istio-ca-root-cert\" "
    "not found";

std::string waiting_reason(const rapidjson::Value& pod, const char* list, std::size_t i) {
  const auto* statuses = find_path(pod, std::string("status.") + list);
  return statuses && statuses->IsArray() && i < statuses->Size()
             ? string_at((*statuses)[static_cast<rapidjson::SizeType>(i)], "state.waiting.reason")
             : std::string();
}

std::string condition(const rapidjson::Value& pod, const char* type) {
  for (const auto& c : find_path(pod, "status.conditions")->GetArray())
    if (string_member(c, "type") == type)
      return string_member(c, "status");
  return {};
}

// The STATUS column `kubectl get pods` prints (the server's Table).
std::string table_status(const rapidjson::Value& pod) {
  auto table = parse_json(render_table("pods", {&pod}, TableObjects::none, 1));
  const auto& cell = (*table)["rows"][0]["cells"][2];
  return cell.IsString() ? cell.GetString() : "";
}

std::vector<rapidjson::Document> events_of(const Store& store, const std::string& ns,
                                           const std::string& pod) {
  std::vector<rapidjson::Document> out;
  for (const auto& json : store.list("events", ns)) {
    auto doc = parse_json(json);
    if (string_at(*doc, "involvedObject.name") == pod)
      out.push_back(std::move(*doc));
  }
  return out;
}

bool running_and_ready(const Store& store, const std::string& ns, const std::string& prefix) {
  auto list = pods(store, ns, prefix);
  return !list.empty() && std::all_of(list.begin(), list.end(), [](const rapidjson::Document& p) {
    return string_at(p, "status.phase") == "Running" && condition(p, "Ready") == "True";
  });
}

int status_int(const Store& store, const std::string& ns, const std::string& name,
               const char* field) {
  auto doc = parse_json(*store.get("deployments", ns, name));
  const auto* v = find_path(*doc, std::string("status.") + field);
  return v && v->IsInt() ? v->GetInt() : 0;
}

void create_root_cert(Store& store, const std::string& ns) {
  auto created = store.create(
      "configmaps", ns,
      R"({"metadata":{"name":"istio-ca-root-cert"},"data":{"root-cert.pem":"x"}})", Origin::client);
  REQUIRE(std::holds_alternative<std::string>(created));
}

} // namespace

TEST_CASE("kubelet: a sidecar pod without istio-ca-root-cert stays Pending until it is created") {
  auto m = load("preflight.json");
  m.mesh->start();
  auto web = pods(*m.store, "app-nocm", "web-");
  REQUIRE(web.size() == 1);
  const auto& pod = web[0];
  const std::string name = string_at(pod, "metadata.name");
  CHECK(string_at(pod, "status.phase") == "Pending");
  CHECK(condition(pod, "Ready") == "False");
  CHECK(condition(pod, "Initialized") == "False");
  CHECK(condition(pod, "PodScheduled") == "True");
  CHECK(string_at(pod, "status.podIP").empty());
  // Kubelet's default waiting reason: PodInitializing while istio-init has not run.
  CHECK(waiting_reason(pod, "initContainerStatuses", 0) == "PodInitializing");
  CHECK(waiting_reason(pod, "containerStatuses", 0) == "PodInitializing");
  CHECK(waiting_reason(pod, "containerStatuses", 1) == "PodInitializing");
  CHECK(table_status(pod) == "Init:0/1");
  auto events = events_of(*m.store, "app-nocm", name);
  REQUIRE(events.size() == 1);
  CHECK(string_member(events[0], "type") == "Warning");
  CHECK(string_member(events[0], "reason") == "FailedMount");
  CHECK(string_member(events[0], "message") == kMessage);
  CHECK(string_at(events[0], "source.component") == "kubelet");
  CHECK(string_at(events[0], "involvedObject.uid") == string_at(pod, "metadata.uid"));
  CHECK(status_int(*m.store, "app-nocm", "web", "availableReplicas") == 0);

  // Still Pending a while later: nothing but the ConfigMap starts it.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(string_at(pods(*m.store, "app-nocm", "web-")[0], "status.phase") == "Pending");
  // Another ConfigMap does not help.
  REQUIRE(std::holds_alternative<std::string>(m.store->create(
      "configmaps", "app-nocm", R"({"metadata":{"name":"other"}})", Origin::client)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(string_at(pods(*m.store, "app-nocm", "web-")[0], "status.phase") == "Pending");
  CHECK(events_of(*m.store, "app-nocm", name).size() == 2); // the retry failed too

  create_root_cert(*m.store, "app-nocm");
  CHECK(eventually([&] { return running_and_ready(*m.store, "app-nocm", "web-"); }));
  CHECK(string_at(pods(*m.store, "app-nocm", "web-")[0], "metadata.name") == name);
  CHECK(eventually(
      [&] { return status_int(*m.store, "app-nocm", "web", "availableReplicas") == 1; }));
  CHECK(table_status(pods(*m.store, "app-nocm", "web-")[0]) == "Running");
}

TEST_CASE("kubelet: running pods outlive a deleted istio-ca-root-cert, restarted ones stall") {
  auto m = load("preflight.json");
  m.mesh->start();
  std::string old_pod = string_at(pods(*m.store, "app-b", "httpbin-")[0], "metadata.name");
  m.store->remove("configmaps", "app-b", "istio-ca-root-cert", Origin::client);
  restart(*m.store, "deployments", "app-b", "httpbin");
  CHECK(eventually([&] { return pods(*m.store, "app-b", "httpbin-").size() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto list = pods(*m.store, "app-b", "httpbin-");
  REQUIRE(list.size() == 2); // the old pod is kept: the new one never becomes available
  for (const auto& p : list) {
    bool old = string_at(p, "metadata.name") == old_pod;
    CHECK(string_at(p, "status.phase") == (old ? "Running" : "Pending"));
    CHECK(condition(p, "Ready") == (old ? "True" : "False"));
  }
  CHECK(status_int(*m.store, "app-b", "httpbin", "updatedReplicas") == 1);
  CHECK(status_int(*m.store, "app-b", "httpbin", "availableReplicas") == 1);

  // A pod without a sidecar mounts no ConfigMap and starts.
  REQUIRE(std::holds_alternative<std::string>(
      m.store->create("pods", "app-b",
                      R"({"metadata":{"name":"plain","labels":{"sidecar.istio.io/inject":"false"}},
          "spec":{"containers":[{"name":"c","image":"i"}]}})",
                      Origin::client)));
  CHECK(eventually([&] { return running_and_ready(*m.store, "app-b", "plain"); }));

  create_root_cert(*m.store, "app-b");
  CHECK(eventually([&] {
    auto now = pods(*m.store, "app-b", "httpbin-");
    return now.size() == 1 && string_at(now[0], "metadata.name") != old_pod &&
           string_at(now[0], "status.phase") == "Running";
  }));
}

TEST_CASE("kubelet: without init containers the containers wait in ContainerCreating") {
  auto m = load("preflight.json");
  m.mesh->start();
  REQUIRE(std::holds_alternative<std::string>(m.store->create("pods", "default",
                                                              R"({"metadata":{"name":"cm-user"},
          "spec":{"containers":[{"name":"c","image":"i"}],
                  "volumes":[{"name":"settings","configMap":{"name":"settings"}},
                             {"name":"extra","configMap":{"name":"extra","optional":true}}]}})",
                                                              Origin::client)));
  CHECK(eventually([&] { return !events_of(*m.store, "default", "cm-user").empty(); }));
  auto pod = pods(*m.store, "default", "cm-user");
  REQUIRE(pod.size() == 1);
  CHECK(string_at(pod[0], "status.phase") == "Pending");
  CHECK(waiting_reason(pod[0], "containerStatuses", 0) == "ContainerCreating");
  CHECK(condition(pod[0], "Initialized") == "True");
  CHECK(table_status(pod[0]) == "ContainerCreating");
  auto events = events_of(*m.store, "default", "cm-user");
  REQUIRE(events.size() == 1); // the optional one is not waited for
  CHECK(string_member(events[0], "message") ==
        "MountVolume.SetUp failed for volume \"settings\" : configmap \"settings\" not found");
  REQUIRE(std::holds_alternative<std::string>(m.store->create(
      "configmaps", "default", R"({"metadata":{"name":"settings"}})", Origin::client)));
  CHECK(eventually([&] { return running_and_ready(*m.store, "default", "cm-user"); }));
}
