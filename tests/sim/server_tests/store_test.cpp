#include "server/json_util.h"
#include "server/store.h"

#include <atomic>
#include <doctest/doctest.h>
#include <thread>

using namespace sim;

namespace {

std::string ok(const Store::WriteResult& result) {
  if (const auto* error = std::get_if<Store::WriteError>(&result))
    FAIL(error->message);
  return std::get<std::string>(result);
}

Store::WriteError err(const Store::WriteResult& result) {
  REQUIRE(std::holds_alternative<Store::WriteError>(result));
  return std::get<Store::WriteError>(result);
}

std::string field(const std::string& json, const char* path) {
  auto doc = parse_json(json);
  REQUIRE(doc);
  const auto* value = find_path(*doc, path);
  if (!value)
    return "";
  return value->IsString() ? value->GetString() : to_json(*value);
}

void make_ns(Store& store, const char* name) {
  ok(store.create("namespaces", "", std::string(R"({"metadata":{"name":")") + name + "\"}}",
                  Origin::client));
}

} // namespace

TEST_CASE("create assigns identity and metadata, reads see it") {
  Store store;
  make_ns(store, "demo");
  auto created =
      ok(store.create("deployments", "demo", R"({"metadata":{"name":"web"},"spec":{"replicas":2}})",
                      Origin::client));
  CHECK(field(created, "apiVersion") == "apps/v1");
  CHECK(field(created, "kind") == "Deployment");
  CHECK(field(created, "metadata.namespace") == "demo");
  CHECK(field(created, "metadata.uid").size() == 36);
  CHECK(field(created, "metadata.generation") == "1");
  CHECK(!field(created, "metadata.creationTimestamp").empty());
  CHECK(field(created, "spec.strategy.type") == "RollingUpdate"); // API defaulting
  CHECK(store.get("deployments", "demo", "web") == created);
  CHECK(store.list("deployments").size() == 1);
  CHECK(store.list("deployments", "other").empty());
  auto generated =
      ok(store.create("pods", "demo", R"({"metadata":{"generateName":"web-"}})", Origin::client));
  CHECK(field(generated, "metadata.name").rfind("web-", 0) == 0);
  CHECK(field(generated, "metadata.name").size() == 9);
}

TEST_CASE("write errors: exists, missing, conflicts, bad input, missing namespace") {
  Store store;
  make_ns(store, "demo");
  ok(store.create("pods", "demo", R"({"metadata":{"name":"p"}})", Origin::client));
  auto exists = err(store.create("pods", "demo", R"({"metadata":{"name":"p"}})", Origin::client));
  CHECK(exists.http_status == 409);
  CHECK(exists.message == "pods \"p\" already exists");
  CHECK(err(store.remove("pods", "demo", "q", Origin::client)).message == "pods \"q\" not found");
  CHECK(err(store.replace("deployments", "demo", "x", "{}", Origin::client)).message ==
        "deployments.apps \"x\" not found");
  auto stale = err(store.replace(
      "pods", "demo", "p", R"({"metadata":{"name":"p","resourceVersion":"1"}})", Origin::client));
  CHECK(stale.http_status == 409);
  CHECK(stale.reason == "Conflict");
  CHECK(err(store.create("pods", "demo", "not json", Origin::client)).http_status == 400);
  CHECK(err(store.create("pods", "demo", "{}", Origin::client)).http_status == 422);
  CHECK(err(store.create("pods", "nowhere", R"({"metadata":{"name":"p"}})", Origin::client))
            .message == "namespaces \"nowhere\" not found");
  ok(store.create("pods", "nowhere", R"({"metadata":{"name":"p"}})",
                  Origin::controller)); // controllers may
}

TEST_CASE("generation follows spec changes, update skips when fn returns false") {
  Store store;
  make_ns(store, "demo");
  ok(store.create("deployments", "demo", R"({"metadata":{"name":"web"},"spec":{"replicas":1}})",
                  Origin::client));
  auto labelled = ok(store.update(
      "deployments", "demo", "web",
      [](rapidjson::Document& doc) {
        set_string(ensure_object(ensure_object(doc, "metadata", doc.GetAllocator()), "labels",
                                 doc.GetAllocator()),
                   "a", "b", doc.GetAllocator());
        return true;
      },
      Origin::client));
  CHECK(field(labelled, "metadata.generation") == "1");
  auto scaled = ok(store.update(
      "deployments", "demo", "web",
      [](rapidjson::Document& doc) {
        doc["spec"]["replicas"] = 3;
        return true;
      },
      Origin::controller));
  CHECK(field(scaled, "metadata.generation") == "2");
  auto before = store.resource_version();
  auto same = ok(store.update(
      "deployments", "demo", "web", [](rapidjson::Document&) { return false; },
      Origin::controller));
  CHECK(same == scaled);
  CHECK(store.resource_version() == before);
}

TEST_CASE("admission mutates creates and rejects with an InternalError") {
  Store store;
  make_ns(store, "demo");
  store.set_admission([](const std::string& plural, const std::string&,
                         rapidjson::Document& doc) -> std::optional<std::string> {
    if (plural != "pods")
      return std::nullopt;
    if (string_at(doc, "metadata.name") == "blocked")
      return std::string("failed calling webhook \"x\": no endpoints");
    set_string(ensure_object(doc, "metadata", doc.GetAllocator()), "namespace", "elsewhere",
               doc.GetAllocator());
    set_string(doc, "injected", "yes", doc.GetAllocator());
    return std::nullopt;
  });
  auto pod = ok(store.create("pods", "demo", R"({"metadata":{"name":"p"}})", Origin::controller));
  CHECK(field(pod, "injected") == "yes");
  CHECK(field(pod, "metadata.namespace") == "demo"); // admission cannot move the object
  auto rejected =
      err(store.create("pods", "demo", R"({"metadata":{"name":"blocked"}})", Origin::controller));
  CHECK(rejected.http_status == 500);
  CHECK(rejected.message == "Internal error occurred: failed calling webhook \"x\": no endpoints");
}

TEST_CASE("observers and watches see every change in order, deleting a namespace empties it") {
  Store store;
  make_ns(store, "demo");
  std::vector<std::string> observed;
  store.observe([&](const Change& change) { observed.push_back(change.name); });
  ok(store.create("pods", "demo", R"({"metadata":{"name":"a"}})", Origin::client));
  auto since = store.resource_version();
  ok(store.create("pods", "demo", R"({"metadata":{"name":"b"}})", Origin::client));
  ok(store.create("configmaps", "demo", R"({"metadata":{"name":"c"}})", Origin::client));
  std::vector<std::pair<Change::Kind, std::string>> events;
  auto id = store.watch("pods", "demo", since,
                        [&](const Change& c) { events.emplace_back(c.kind, c.name); });
  REQUIRE(std::holds_alternative<std::uint64_t>(id));
  CHECK(events == std::vector<std::pair<Change::Kind, std::string>>{{Change::Kind::added, "b"}});
  ok(store.remove("namespaces", "", "demo", Origin::client));
  CHECK(store.list("pods").empty());
  CHECK(store.list("configmaps").empty());
  REQUIRE(events.size() == 3);
  CHECK(events[1].first == Change::Kind::deleted);
  store.unwatch(std::get<std::uint64_t>(id));
  std::vector<std::string> initial;
  make_ns(store, "x");
  ok(store.create("pods", "x", R"({"metadata":{"name":"z"}})", Origin::client));
  store.watch("pods", "", 0, [&](const Change& c) { initial.push_back(c.name); });
  CHECK(initial == std::vector<std::string>{"z"});
  // created a, b, c; deleted c, a, b and demo; created x and z
  CHECK(observed == std::vector<std::string>{"a", "b", "c", "c", "a", "b", "demo", "x", "z"});
}

TEST_CASE("a watch from a version older than the history is Expired") {
  Store store;
  make_ns(store, "demo");
  for (int i = 0; i < 8300; ++i)
    ok(store.update(
        "namespaces", "", "demo",
        [i](rapidjson::Document& doc) {
          set_string(ensure_object(ensure_object(doc, "metadata", doc.GetAllocator()), "labels",
                                   doc.GetAllocator()),
                     "i", std::to_string(i), doc.GetAllocator());
          return true;
        },
        Origin::controller));
  auto expired = store.watch("namespaces", "", 2, [](const Change&) {});
  REQUIRE(std::holds_alternative<Store::WriteError>(expired));
  CHECK(std::get<Store::WriteError>(expired).http_status == 410);
}

TEST_CASE("concurrent read-modify-write updates lose nothing") {
  Store store;
  make_ns(store, "demo");
  ok(store.create("configmaps", "demo", R"({"metadata":{"name":"counter"},"data":{"n":"0"}})",
                  Origin::client));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i)
        store.update(
            "configmaps", "demo", "counter",
            [](rapidjson::Document& doc) {
              int n = std::stoi(doc["data"]["n"].GetString()) + 1;
              set_string(doc["data"], "n", std::to_string(n), doc.GetAllocator());
              return true;
            },
            Origin::controller);
    });
  for (auto& thread : threads)
    thread.join();
  CHECK(field(*store.get("configmaps", "demo", "counter"), "data.n") == "1000");
}
