// Revision tags live in the cluster: the MutatingWebhookConfiguration istio-revision-tag-<TAG>
// and its istio.io/rev label (what `istioctl tag set TAG --revision REV --overwrite` rewrites).
// Moving or deleting it changes which revision, if any, injects the namespaces using the tag.

#include "mesh/injection.h"
#include "mesh/objects.h"
#include "mesh_test_support.h"
#include "pem_verify.h"

#include <doctest/doctest.h>

using namespace sim;
using namespace sim::mesh;
using namespace sim::mesh::test;

namespace {

const std::string kTagWebhook = "istio-revision-tag-default";

// Creates a bare pod as a client would; the stored (admitted) pod.
rapidjson::Document create_pod(Store& store, const std::string& ns, const std::string& name) {
  auto result = store.create("pods", ns,
                             R"({"metadata":{"name":")" + name +
                                 R"("},"spec":{"containers":[{"name":"app"}]}})",
                             Origin::client);
  if (auto* error = std::get_if<Store::WriteError>(&result))
    FAIL("pod " << ns << "/" << name << " refused: " << error->message);
  return std::move(*parse_json(std::get<std::string>(result)));
}

// The CA_ADDR its istio-proxy was injected with ("" without a sidecar).
std::string ca_addr(const rapidjson::Value& pod) {
  for (const char* list : {"spec.containers", "spec.initContainers"}) {
    const auto* containers = find_path(pod, list);
    if (!containers || !containers->IsArray())
      continue;
    for (const auto& c : containers->GetArray()) {
      if (string_member(c, "name") != "istio-proxy" || !member(c, "env"))
        continue;
      for (const auto& env : c["env"].GetArray())
        if (string_member(env, "name") == "CA_ADDR")
          return string_member(env, "value");
    }
  }
  return {};
}

// What `istioctl tag set default --revision REV --overwrite` leaves: the tag webhook labelled
// with REV, every hook calling what REV's own injector webhook calls.
void tag_set(Store& store, const std::string& revision) {
  auto canonical = parse_json(
      *store.get("mutatingwebhookconfigurations", "", "istio-sidecar-injector-" + revision));
  auto tag = parse_json(*store.get("mutatingwebhookconfigurations", "", kTagWebhook));
  auto& alloc = tag->GetAllocator();
  set_string((*tag)["metadata"]["labels"], "istio.io/rev", revision, alloc);
  for (auto& hook : (*tag)["webhooks"].GetArray())
    hook["clientConfig"].CopyFrom((*canonical)["webhooks"][0]["clientConfig"], alloc);
  auto result = store.replace("mutatingwebhookconfigurations", "", kTagWebhook, to_json(*tag),
                              Origin::client);
  REQUIRE(std::holds_alternative<std::string>(result));
}

std::string root_cert_of(const Store& store, const std::string& ns) {
  auto json = store.get("configmaps", ns, "istio-ca-root-cert");
  auto doc = json ? parse_json(*json) : std::nullopt;
  const auto* data = doc ? find_path(*doc, "data") : nullptr;
  return data ? string_member(*data, "root-cert.pem") : std::string();
}

} // namespace

TEST_CASE("revision tags: moving the default tag's webhook moves istio-injection=enabled "
          "namespaces to the new revision") {
  auto m = load("migrate.json");
  m.mesh->start();
  REQUIRE(
      m.mesh->install(R"({"revision": {"name": "asm-new", "ca": "citadel-meshca-root"}})").status ==
      201);
  auto before = create_pod(*m.store, "shop", "before");
  CHECK(annotation(before, "istio.io/rev") == "asm-old");

  tag_set(*m.store, "asm-new");
  for (const char* ns : {"shop", "ops"}) {
    auto pod = create_pod(*m.store, ns, "after");
    INFO(std::string(ns));
    CHECK(annotation(pod, "istio.io/rev") == "asm-new");
    CHECK(annotation(pod, kSimCaModeAnnotation) == "citadel-meshca-root");
    CHECK(ca_addr(pod) == "istiod-asm-new.istio-system.svc:15012");
  }
  // pay selects asm-old by name, not through the tag.
  CHECK(annotation(create_pod(*m.store, "pay", "after"), "istio.io/rev") == "asm-old");
  // A rollout restart moves the tag's workloads.
  restart(*m.store, "deployments", "shop", "frontend");
  CHECK(eventually([&] {
    auto frontend = pods(*m.store, "shop", "frontend-");
    return frontend.size() == 2 && std::all_of(frontend.begin(), frontend.end(), [](auto& pod) {
             return annotation(pod, "istio.io/rev") == "asm-new" &&
                    string_at(pod, "status.phase") == "Running";
           });
  }));

  // The label alone decides the revision (a patch that leaves clientConfig alone).
  auto patched = m.store->update(
      "mutatingwebhookconfigurations", "", kTagWebhook,
      [](rapidjson::Document& doc) {
        set_string(doc["metadata"]["labels"], "istio.io/rev", "asm-old", doc.GetAllocator());
        return true;
      },
      Origin::client);
  REQUIRE(std::holds_alternative<std::string>(patched));
  auto back = create_pod(*m.store, "ops", "back");
  CHECK(annotation(back, "istio.io/rev") == "asm-old");
  CHECK(annotation(back, kSimCaModeAnnotation) == "citadel");
}

TEST_CASE("revision tags: without a default tag webhook istio-injection=enabled pods get no "
          "sidecar") {
  auto m = load("migrate.json");
  m.mesh->start();
  REQUIRE(std::holds_alternative<std::string>(
      m.store->remove("mutatingwebhookconfigurations", "", kTagWebhook, Origin::client)));
  // asm-old's own webhook has only the rev.* hooks (istio.io/rev), as Istio renders a revision's
  // injector; the istio-injection=enabled hooks come with the default tag (or a revision named
  // default, an unrevisioned install), so nothing injects these pods.
  auto shop = create_pod(*m.store, "shop", "plain");
  CHECK(annotation(shop, "sidecar.istio.io/status").empty());
  CHECK(ca_addr(shop).empty());
  CHECK(annotation(create_pod(*m.store, "pay", "still"), "istio.io/rev") == "asm-old");
  restart(*m.store, "deployments", "ops", "worker");
  CHECK(eventually([&] {
    auto worker = pods(*m.store, "ops", "worker-");
    return worker.size() == 1 && annotation(worker[0], "sidecar.istio.io/status").empty() &&
           string_at(worker[0], "status.phase") == "Running";
  }));
}

TEST_CASE("revision tags: at load the tag webhook in the store decides, for injection and for "
          "the namespace's istio-ca-root-cert alike") {
  // A cluster where the default tag already points elsewhere than the scenario says: its tag
  // webhook exists before the mesh loads (the scenario's own is then not created).
  Store store;
  RevisionSpec b;
  b.name = "rev-b";
  b.ca = CaMode::citadel_meshca_root;
  REQUIRE(std::holds_alternative<std::string>(store.create(
      "mutatingwebhookconfigurations", "", tag_webhook("default", b), Origin::controller)));
  auto loaded = Mesh::load_text(
      R"({"revisions": [{"name": "rev-a"}, {"name": "rev-b", "ca": "citadel-meshca-root"}],
          "tags": {"default": "rev-a"},
          "namespaces": [{"name": "t", "labels": {"istio-injection": "enabled"},
                          "workloads": [{"name": "web"}]},
                         {"name": "u", "labels": {"istio.io/rev": "default"},
                          "workloads": [{"name": "api"}]}]})",
      store, {});
  REQUIRE(std::holds_alternative<std::unique_ptr<Mesh>>(loaded));
  for (const char* ns : {"t", "u"}) {
    INFO(std::string(ns));
    auto list = pods(store, ns);
    REQUIRE(list.size() == 1);
    CHECK(annotation(list[0], "istio.io/rev") == "rev-b");
    CHECK(read_pems(root_cert_of(store, ns)).size() == 3); // rev-b: Citadel + 2 Mesh CA roots
  }
}
