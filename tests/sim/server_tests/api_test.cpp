// The REST layer without a socket: routing, tables, discovery, dry runs, the mutation log.

#include "server/api_server.h"
#include "server/discovery.h"
#include "server/json_util.h"

#include <doctest/doctest.h>

using namespace sim;

namespace {

struct Fixture {
  Store store;
  Faults faults;
  MutationLog log{""};
  Stats stats;
  ApiServer api{store, faults, log, stats};

  Fixture() {
    store.create("namespaces", "", R"({"metadata":{"name":"demo"}})", Origin::controller);
    store.create(
        "pods", "demo",
        R"({"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"containers":[{"name":"app"},{"name":"istio-proxy"}]},
                     "status":{"phase":"Running","containerStatuses":[{"name":"app","ready":true,"restartCount":2}]}})",
        Origin::controller);
  }

  ApiResponse call(const std::string& method, const std::string& target,
                   const std::string& body = {},
                   const std::string& content_type = "application/json",
                   const std::string& accept = "application/json") {
    ApiRequest request;
    request.method = method;
    parse_target(target, request);
    request.body = body;
    request.content_type = content_type;
    request.accept = accept;
    return api.handle(request, classify(request));
  }
};

} // namespace

TEST_CASE("routes: namespaced, cluster-scoped, subresources, query decoding") {
  ApiRequest request;
  request.method = "GET";
  parse_target("/apis/apps/v1/namespaces/ns/deployments/web/status?labelSelector=a%3Db%2Cc&watch=1",
               request);
  auto route = classify(request);
  CHECK(route.kind == Route::Kind::resource);
  CHECK(route.group == "apps");
  CHECK(route.ns == "ns");
  CHECK(route.plural == "deployments");
  CHECK(route.name == "web");
  CHECK(route.subresource == "status");
  CHECK(route.verb == "get");
  CHECK(request.param("labelSelector") == "a=b,c");
  ApiRequest ns_status;
  ns_status.method = "PUT";
  parse_target("/api/v1/namespaces/demo/status", ns_status);
  auto status_route = classify(ns_status);
  CHECK(status_route.plural == "namespaces");
  CHECK(status_route.name == "demo");
  CHECK(status_route.subresource == "status");
  CHECK(status_route.verb == "update");
  ApiRequest watch;
  watch.method = "GET";
  parse_target("/api/v1/pods?watch=true", watch);
  CHECK(classify(watch).verb == "watch");
}

TEST_CASE("tables for kubectl get, with partial object metadata") {
  Fixture f;
  auto table = f.call("GET", "/api/v1/namespaces/demo/pods", "", "",
                      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
  CHECK(table.status == 200);
  auto doc = parse_json(table.body);
  REQUIRE(doc);
  CHECK(string_at(*doc, "kind") == "Table");
  // (rapidjson values are compared as text: doctest cannot print them)
  CHECK(to_json((*doc)["columnDefinitions"][1]["name"]) == "\"Ready\"");
  const auto& cells = (*doc)["rows"][0]["cells"];
  REQUIRE(cells.Size() == 9);
  CHECK(to_json(cells[0]) + to_json(cells[1]) + to_json(cells[2]) + to_json(cells[3]) ==
        R"("web""1/2""Running"2)");
  CHECK(to_json((*doc)["rows"][0]["object"]["kind"]) == "\"PartialObjectMetadata\"");
  CHECK(human_duration(45) == "45s");
  CHECK(human_duration(200) == "3m20s");
  CHECK(human_duration(3600 * 5 + 60) == "5h1m");
  CHECK(human_duration(86400 * 3 + 3600) == "3d1h");
  CHECK(human_duration(86400 * 30) == "30d");
}

TEST_CASE("errors are metav1.Status bodies") {
  Fixture f;
  auto missing = f.call("GET", "/api/v1/namespaces/demo/pods/nope");
  CHECK(missing.status == 404);
  auto doc = parse_json(missing.body);
  CHECK(string_at(*doc, "kind") == "Status");
  CHECK(string_at(*doc, "reason") == "NotFound");
  CHECK(string_at(*doc, "message") == "pods \"nope\" not found");
  CHECK(f.call("GET", "/apis/apps/v1/namespaces/demo/widgets").status == 404);
  CHECK(f.call("GET", "/api/v1/pods?labelSelector=a%20in%20b").status == 400);
  CHECK(f.call("PATCH", "/api/v1/namespaces/demo", "{}", "application/apply-patch+yaml").status ==
        415);
  auto invalid = f.call("PATCH", "/api/v1/namespaces/demo",
                        R"({"metadata":{"labels":{"a":"b c"}}})", "application/merge-patch+json");
  CHECK(invalid.status == 422);
  auto invalid_doc = parse_json(invalid.body);
  CHECK(to_json((*invalid_doc)["details"]["causes"][0]["field"]) == "\"metadata.labels\"");
  CHECK(string_at(*invalid_doc, "message")
            .rfind("Namespace \"demo\" is invalid: metadata.labels: Invalid value: \"b c\"", 0) ==
        0);
}

TEST_CASE("dry runs answer like the real thing, store nothing, and are logged") {
  Fixture f;
  auto before = f.store.resource_version();
  auto patched = f.call("PATCH", "/api/v1/namespaces/demo?dryRun=All",
                        R"({"metadata":{"labels":{"x":"y"}}})", "application/merge-patch+json");
  CHECK(patched.status == 200);
  CHECK(string_at(*parse_json(patched.body), "metadata.labels.x") == "y");
  auto created = f.call("POST", "/api/v1/namespaces/demo/configmaps?dryRun=All",
                        R"({"metadata":{"name":"c"}})");
  CHECK(created.status == 201);
  auto deleted = f.call("DELETE", "/api/v1/namespaces/demo/pods/web", R"({"dryRun":["All"]})");
  CHECK(deleted.status == 200);
  CHECK(f.store.resource_version() == before);
  CHECK(f.store.get("pods", "demo", "web"));
  auto log = f.log.contents();
  CHECK(std::count(log.begin(), log.end(), '\n') == 3);
  CHECK(log.find("\"dryRun\":false") == std::string::npos);
}

TEST_CASE("status is kept on main-resource writes and replaced through /status") {
  Fixture f;
  auto main = f.call("PATCH", "/api/v1/namespaces/demo/pods/web",
                     R"({"status":{"phase":"Failed"},"metadata":{"labels":{"b":"c"}}})",
                     "application/merge-patch+json");
  CHECK(string_at(*parse_json(main.body), "status.phase") == "Running");
  auto status = f.call("PATCH", "/api/v1/namespaces/demo/pods/web/status",
                       R"({"status":{"phase":"Failed"},"metadata":{"labels":{"d":"e"}}})",
                       "application/merge-patch+json");
  auto doc = parse_json(status.body);
  CHECK(string_at(*doc, "status.phase") == "Failed");
  CHECK(string_at(*doc, "metadata.labels.d") == "");
}

TEST_CASE("discovery documents") {
  CHECK(wanted_aggregated_version(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/"
            "json") == "v2");
  CHECK(wanted_aggregated_version(
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList") ==
        "v2beta1");
  CHECK_FALSE(wanted_aggregated_version("application/json"));
  auto apps = resource_list_json("apps", "v1");
  REQUIRE(apps);
  CHECK(apps->find("\"deployments/scale\"") != std::string::npos);
  CHECK_FALSE(resource_list_json("apps", "v2"));
  auto aggregated = parse_json(aggregated_discovery_json(false, "v2"));
  REQUIRE(aggregated);
  CHECK(string_at(*aggregated, "kind") == "APIGroupDiscoveryList");
  CHECK(openapi_v3_group_version_json("api/v1")->find(
            "/api/v1/namespaces/{namespace}/secrets/{name}") != std::string::npos);
  CHECK_FALSE(openapi_v3_group_version_json("apis/nope/v1"));
}

TEST_CASE("lists are paged with limit and continue, and a bad token is refused") {
  Fixture f;
  for (const char* name : {"a", "b", "c", "d"})
    f.store.create("pods", "demo", std::string(R"({"metadata":{"name":")") + name + R"("}})",
                   Origin::controller);
  std::vector<std::string> names;
  std::string target = "/api/v1/pods?limit=2";
  int pages = 0;
  for (;;) {
    auto response = f.call("GET", target);
    REQUIRE(response.status == 200);
    auto doc = parse_json(response.body);
    REQUIRE(doc);
    for (const auto& item : (*doc)["items"].GetArray())
      names.emplace_back(item["metadata"]["name"].GetString());
    ++pages;
    const auto& metadata = (*doc)["metadata"];
    if (!metadata.HasMember("continue"))
      break;
    CHECK(metadata["remainingItemCount"].GetInt() > 0);
    target = std::string("/api/v1/pods?limit=2&continue=") + metadata["continue"].GetString();
  }
  CHECK(pages == 3);
  CHECK(names == std::vector<std::string>{"a", "b", "c", "d", "web"});
  CHECK(f.call("GET", "/api/v1/pods?limit=2&continue=bogus").status == 400);
  auto whole = parse_json(f.call("GET", "/api/v1/pods").body);
  CHECK((*whole)["items"].Size() == 5);
}

TEST_CASE("optimistic concurrency: a stale resourceVersion in an update or a patch is a 409 "
          "Conflict, none is unconditional") {
  Fixture f;
  auto created = f.call("POST", "/api/v1/namespaces/demo/configmaps",
                        R"({"metadata":{"name":"cfg"},"data":{"k":"1"}})");
  REQUIRE(created.status == 201);
  std::string rv = string_at(*parse_json(created.body), "metadata.resourceVersion");
  const std::string message = "Operation cannot be fulfilled on configmaps \"cfg\": the object has "
                              "been modified; please apply your changes to the latest version "
                              "and try again";
  auto expect_conflict = [&](const ApiResponse& r) {
    CHECK(r.status == 409);
    auto status = parse_json(r.body);
    REQUIRE(status);
    CHECK(string_at(*status, "kind") == "Status");
    CHECK(string_at(*status, "reason") == "Conflict");
    CHECK(string_at(*status, "message") == message);
    CHECK(string_at(*status, "details.name") == "cfg");
    CHECK(string_at(*status, "details.kind") == "configmaps");
  };
  const std::string path = "/api/v1/namespaces/demo/configmaps/cfg";
  // PUT: current version passes, a stale one (incl. under dryRun) conflicts, none is
  // unconditional.
  auto put =
      f.call("PUT", path,
             R"({"metadata":{"name":"cfg","resourceVersion":")" + rv + R"("},"data":{"k":"2"}})");
  REQUIRE(put.status == 200);
  expect_conflict(
      f.call("PUT", path,
             R"({"metadata":{"name":"cfg","resourceVersion":")" + rv + R"("},"data":{"k":"3"}})"));
  expect_conflict(f.call("PUT", path + "?dryRun=All",
                         R"({"metadata":{"name":"cfg","resourceVersion":"1"},"data":{"k":"3"}})"));
  CHECK(f.call("PUT", path, R"({"metadata":{"name":"cfg"},"data":{"k":"4"}})").status == 200);
  // PATCH: merge, strategic and json patches that set a stale resourceVersion conflict.
  expect_conflict(f.call("PATCH", path, R"({"metadata":{"resourceVersion":"1"},"data":{"k":"5"}})",
                         "application/merge-patch+json"));
  expect_conflict(f.call("PATCH", path, R"({"metadata":{"resourceVersion":"1"},"data":{"k":"5"}})",
                         "application/strategic-merge-patch+json"));
  expect_conflict(f.call("PATCH", path,
                         R"([{"op":"replace","path":"/metadata/resourceVersion","value":"1"}])",
                         "application/json-patch+json"));
  CHECK(string_at(*parse_json(*f.store.get("configmaps", "demo", "cfg")), "data.k") == "4");
  // The current version, or none, passes.
  std::string now =
      string_at(*parse_json(*f.store.get("configmaps", "demo", "cfg")), "metadata.resourceVersion");
  CHECK(f.call("PATCH", path,
               R"({"metadata":{"resourceVersion":")" + now + R"("},"data":{"k":"6"}})",
               "application/merge-patch+json")
            .status == 200);
  CHECK(f.call("PATCH", path, R"({"data":{"k":"7"}})", "application/merge-patch+json").status ==
        200);
  // /status and /scale updates keep the precondition although their bodies are folded in.
  expect_conflict(f.call("PUT", path + "/status",
                         R"({"metadata":{"name":"cfg","resourceVersion":"1"},"data":{}})"));
}

TEST_CASE("simctl routes added by the mesh answer their endpoint, unknown ones are 404") {
  Fixture f;
  f.api.add_simctl_route("install", [](const ApiRequest& r) {
    return ApiResponse{r.method == "POST" ? 201 : 405, "application/json", "{}"};
  });
  CHECK(f.call("POST", "/simctl/install", "{}").status == 201);
  CHECK(f.call("GET", "/simctl/install").status == 405);
  CHECK(f.call("POST", "/simctl/nothing", "{}").status == 404);
}
