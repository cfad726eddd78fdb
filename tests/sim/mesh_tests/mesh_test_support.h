#pragma once
// Helpers for the simulated mesh's tests: a loaded mesh on a fresh store, pod lookups, polling.

#include "mesh/mesh.h"
#include "server/json_util.h"

#include <chrono>
#include <doctest/doctest.h>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace sim::mesh::test {

inline std::string scenario_path(const std::string& name) {
  return std::string(MESHCA_SIM_SCENARIOS_DIR) + "/" + name;
}

struct Loaded {
  std::unique_ptr<Store> store = std::make_unique<Store>();
  std::unique_ptr<Mesh> mesh;
};

inline Loaded load(const std::string& scenario_file, MeshOptions options = {}) {
  Loaded l;
  auto result = Mesh::load(scenario_path(scenario_file), *l.store, options);
  if (auto* error = std::get_if<std::string>(&result))
    FAIL("scenario did not load: " << *error);
  l.mesh = std::move(std::get<std::unique_ptr<Mesh>>(result));
  return l;
}

inline Loaded load_text(const std::string& json, MeshOptions options = {}) {
  Loaded l;
  auto result = Mesh::load_text(json, *l.store, options);
  if (auto* error = std::get_if<std::string>(&result))
    FAIL("scenario did not load: " << *error);
  l.mesh = std::move(std::get<std::unique_ptr<Mesh>>(result));
  return l;
}

// Parsed pods of `ns` whose name starts with `prefix`.
inline std::vector<rapidjson::Document> pods(const Store& store, const std::string& ns,
                                             const std::string& prefix = {}) {
  std::vector<rapidjson::Document> out;
  for (const auto& json : store.list("pods", ns)) {
    auto doc = parse_json(json);
    if (doc && string_at(*doc, "metadata.name").rfind(prefix, 0) == 0)
      out.push_back(std::move(*doc));
  }
  return out;
}

inline std::string annotation(const rapidjson::Value& object, const char* key) {
  const auto* a = find_path(object, "metadata.annotations");
  return a ? string_member(*a, key) : std::string();
}

inline std::string label(const rapidjson::Value& object, const char* key) {
  const auto* l = find_path(object, "metadata.labels");
  return l ? string_member(*l, key) : std::string();
}

// Polls `condition` every 10 ms until it holds or `timeout_ms` passes.
inline bool eventually(const std::function<bool()>& condition, int timeout_ms = 5000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// What `kubectl rollout restart` does: a new template annotation.
inline void restart(Store& store, const std::string& plural, const std::string& ns,
                    const std::string& name) {
  auto result = store.update(
      plural, ns, name,
      [](rapidjson::Document& doc) {
        auto& alloc = doc.GetAllocator();
        auto& tmeta = ensure_object(
            ensure_object(ensure_object(doc, "spec", alloc), "template", alloc), "metadata", alloc);
        set_string(ensure_object(tmeta, "annotations", alloc), "kubectl.kubernetes.io/restartedAt",
                   now_rfc3339() +
                       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()),
                   alloc);
        return true;
      },
      Origin::client);
  REQUIRE(std::holds_alternative<std::string>(result));
}

inline void set_namespace_labels(Store& store, const std::string& ns,
                                 const std::vector<std::pair<std::string, std::string>>& labels) {
  auto result = store.update(
      "namespaces", "", ns,
      [&](rapidjson::Document& doc) {
        auto& alloc = doc.GetAllocator();
        rapidjson::Value fresh(rapidjson::kObjectType);
        for (const auto& [k, v] : labels)
          fresh.AddMember(rapidjson::Value(k.c_str(), alloc), rapidjson::Value(v.c_str(), alloc),
                          alloc);
        set_member(ensure_object(doc, "metadata", alloc), "labels", std::move(fresh), alloc);
        return true;
      },
      Origin::client);
  REQUIRE(std::holds_alternative<std::string>(result));
}

// Runs `pilot-agent request GET <path>` in the pod's istio-proxy.
inline ExecResult agent_get(Mesh& mesh, const std::string& ns, const std::string& pod,
                            const std::string& path) {
  return mesh.exec({ns, pod, "istio-proxy", {"pilot-agent", "request", "GET", path}});
}

} // namespace sim::mesh::test
