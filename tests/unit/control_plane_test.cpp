#include "meshca/mesh/control_plane.h"

#include <doctest/doctest.h>

namespace {

rapidjson::Document parse(const char* text) {
  rapidjson::Document doc;
  doc.Parse(text);
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

// Two istiod revisions, a gateway of the old one, a revision whose istiod is gone (only its
// webhook is left), the default tag, and an unrelated webhook.
constexpr const char* kDeployments = R"({"kind":"List","items":[
 {"metadata":{"name":"istiod-asm-1","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-1"}},
  "spec":{"replicas":2},"status":{"readyReplicas":2}},
 {"metadata":{"name":"istiod-asm-2","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-2"}},
  "spec":{"replicas":1},"status":{}},
 {"metadata":{"name":"istio-ingressgateway","namespace":"istio-system","labels":{"app":"istio-ingressgateway","istio.io/rev":"asm-1"}},
  "spec":{"replicas":3},"status":{"readyReplicas":3}}
]})";

constexpr const char* kWebhooks = R"({"kind":"List","items":[
 {"metadata":{"name":"istio-sidecar-injector-asm-1","labels":{"app":"sidecar-injector","istio.io/rev":"asm-1"}},
  "webhooks":[{"name":"rev.namespace.sidecar-injector.istio.io","clientConfig":{"service":{"name":"istiod-asm-1","namespace":"istio-system"}},
   "namespaceSelector":{"matchExpressions":[{"key":"istio.io/rev","operator":"In","values":["asm-1"]}]}}]},
 {"metadata":{"name":"istio-sidecar-injector-asm-0","labels":{"app":"sidecar-injector","istio.io/rev":"asm-0"}},
  "webhooks":[{"name":"rev.namespace.sidecar-injector.istio.io","clientConfig":{"service":{"name":"istiod-asm-0","namespace":"istio-system"}}}]},
 {"metadata":{"name":"istio-revision-tag-default","labels":{"app":"sidecar-injector","istio.io/rev":"asm-1","istio.io/tag":"default"}},
  "webhooks":[{"name":"namespace.sidecar-injector.istio.io","clientConfig":{"service":{"name":"istiod-asm-1","namespace":"istio-system"}},
   "namespaceSelector":{"matchExpressions":[{"key":"istio-injection","operator":"In","values":["enabled"]}]}}]},
 {"metadata":{"name":"cert-manager-webhook"},"webhooks":[]}
]})";

} // namespace

TEST_CASE("revisions, gateways, tags and webhooks are read from the lists") {
  const auto deployments = parse(kDeployments);
  const auto webhooks = parse(kWebhooks);
  const meshca::ControlPlane plane = meshca::parse_control_plane(deployments, webhooks);
  REQUIRE(plane.revisions.size() == 3);
  CHECK(plane.revisions[0].name == "asm-0");
  CHECK_FALSE(plane.revisions[0].istiod.has_value());
  const auto* asm1 = plane.find_revision("asm-1");
  REQUIRE(asm1 != nullptr);
  REQUIRE(asm1->istiod.has_value());
  CHECK(asm1->istiod->ready_replicas == 2);
  REQUIRE(asm1->gateways.size() == 1);
  CHECK(asm1->gateways[0].name == "istio-ingressgateway");
  CHECK(plane.webhooks.size() == 3); // the unrelated webhook is left out
  CHECK(plane.tag_target("default") == "asm-1");
  CHECK(plane.injection_label_revision() == "asm-1");
  CHECK(plane.webhooks[0].name == "istio-revision-tag-default"); // sorted by name
  CHECK(plane.webhooks[1].service == "istio-system/istiod-asm-0");
}

TEST_CASE("a revision serves injection only with an istiod or as a tag") {
  const auto deployments = parse(kDeployments);
  const auto webhooks = parse(kWebhooks);
  const meshca::ControlPlane plane = meshca::parse_control_plane(deployments, webhooks);
  CHECK(plane.serves("asm-1"));
  CHECK(plane.serves("asm-2"));
  CHECK(plane.serves("default"));
  CHECK_FALSE(plane.serves("asm-0")); // webhook left behind, istiod gone
  CHECK_FALSE(plane.serves("asm-9"));
}

TEST_CASE("empty or malformed lists give an empty control plane") {
  const auto empty = parse(R"({"items":[]})");
  const auto bad = parse(R"({"kind":"Status"})");
  const meshca::ControlPlane plane = meshca::parse_control_plane(empty, bad);
  CHECK(plane.revisions.empty());
  CHECK_FALSE(plane.injection_label_revision().has_value());
}
