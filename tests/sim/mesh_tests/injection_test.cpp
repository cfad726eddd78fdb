#include "mesh/injection.h"
#include "mesh/objects.h"
#include "mesh/rollout_math.h"
#include "server/json_util.h"

#include <doctest/doctest.h>

using namespace sim::mesh;

namespace {
RevisionSpec rev(const std::string& name, bool unrevisioned = false) {
  RevisionSpec r;
  r.name = name;
  r.unrevisioned = unrevisioned;
  return r;
}

// The revision the first matching webhook injects, or "" when none matches.
std::string injected_by(const std::vector<std::string>& configs, const LabelMap& ns,
                        const LabelMap& pod) {
  auto calls = webhooks_for_pod(configs, ns, pod);
  return calls.empty() ? "" : calls.front().revision + "/" + calls.front().webhook;
}
} // namespace

TEST_CASE("injection: Istio's selector semantics for revisions and the default tag") {
  std::vector<std::string> configs = {
      injector_webhook(rev("asm-1-19")), injector_webhook(rev("asm-1-20")),
      tag_webhook("default", rev("asm-1-19")), tag_webhook("canary", rev("asm-1-20"))};
  CHECK(injected_by(configs, {{"istio.io/rev", "asm-1-20"}}, {}) ==
        "asm-1-20/rev.namespace.sidecar-injector.istio.io");
  CHECK(injected_by(configs, {{"istio-injection", "enabled"}}, {}) ==
        "asm-1-19/namespace.sidecar-injector.istio.io");
  CHECK(injected_by(configs, {{"istio.io/rev", "canary"}}, {}) ==
        "asm-1-20/rev.namespace.sidecar-injector.istio.io");
  // Both labels: istio-injection wins (rev webhooks require it absent).
  CHECK(injected_by(configs, {{"istio-injection", "enabled"}, {"istio.io/rev", "asm-1-20"}}, {}) ==
        "asm-1-19/namespace.sidecar-injector.istio.io");
  CHECK(injected_by(configs, {{"istio-injection", "disabled"}}, {}).empty());
  CHECK(
      injected_by(configs, {{"istio-injection", "enabled"}}, {{"sidecar.istio.io/inject", "false"}})
          .empty());
  CHECK(injected_by(configs, {}, {}).empty());
  // Object selector: a pod labelled with a revision in an unlabelled namespace (gateways).
  CHECK(injected_by(configs, {}, {{"istio.io/rev", "asm-1-19"}}) ==
        "asm-1-19/rev.object.sidecar-injector.istio.io");
  CHECK(injected_by(configs, {}, {{"sidecar.istio.io/inject", "true"}}) ==
        "asm-1-19/object.sidecar-injector.istio.io");
}

TEST_CASE(
    "injection: an unrevisioned install serves istio-injection=enabled with revision default") {
  std::vector<std::string> configs = {injector_webhook(rev("default", true))};
  auto calls = webhooks_for_pod(configs, {{"istio-injection", "enabled"}}, {});
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].revision == "default");
  CHECK(calls[0].service == "istiod");
  CHECK(calls[0].configuration == "istio-sidecar-injector");
}

TEST_CASE("injection: the failure message is the API server's") {
  WebhookCall call{"istio-sidecar-injector-x",
                   "rev.namespace.sidecar-injector.istio.io",
                   "x",
                   "istiod-x",
                   "istio-system",
                   "/inject/cluster/Kubernetes/net/network1",
                   true};
  CHECK(webhook_failure(call, "no endpoints available for service \"istiod-x\"") ==
        "failed calling webhook \"rev.namespace.sidecar-injector.istio.io\": failed to call "
        "webhook: Post "
        "\"https://istiod-x.istio-system.svc:443/inject/cluster/Kubernetes/net/"
        "network1?timeout=10s\": no endpoints "
        "available for service \"istiod-x\"");
}

TEST_CASE("injection: sidecar and native sidecar pods look like Istio's") {
  auto make_pod = [] {
    auto doc = sim::parse_json(
        R"({"metadata":{"name":"p","namespace":"n","labels":{"app":"web","version":"v2"}},
                                   "spec":{"containers":[{"name":"web","image":"i"}]}})");
    return std::move(*doc);
  };
  SidecarSpec spec{"asm-1-19", "gcr.io/gke-release/asm/proxyv2:1.19.10-asm.33", false,
                   "istiod-asm-1-19.istio-system.svc:15012", "citadel"};
  auto pod = make_pod();
  CHECK_FALSE(already_injected(pod));
  inject_sidecar(pod, spec);
  CHECK(already_injected(pod));
  const auto& containers = *sim::find_path(pod, "spec.containers");
  REQUIRE(containers.Size() == 2);
  CHECK(sim::string_member(containers[1], "name") == "istio-proxy");
  CHECK(sim::string_member(containers[1], "image") == spec.proxy_image);
  const auto& annotations = *sim::find_path(pod, "metadata.annotations");
  CHECK(sim::string_member(annotations, "istio.io/rev") == "asm-1-19");
  auto status = sim::parse_json(sim::string_member(annotations, "sidecar.istio.io/status"));
  REQUIRE(status);
  CHECK(sim::string_member(*status, "revision") == "asm-1-19");
  CHECK((*status)["containers"][0] == "istio-proxy");
  CHECK((*status)["initContainers"][0] == "istio-init");
  const auto& labels = *sim::find_path(pod, "metadata.labels");
  CHECK(sim::string_member(labels, "service.istio.io/canonical-name") == "web");
  CHECK(sim::string_member(labels, "service.istio.io/canonical-revision") == "v2");
  CHECK(sim::string_member(labels, "security.istio.io/tlsMode") == "istio");
  CHECK_FALSE(labels.HasMember("istio.io/rev")); // sidecars carry the annotation, not the label

  auto native = make_pod();
  spec.native = true;
  inject_sidecar(native, spec);
  CHECK(sim::find_path(native, "spec.containers")->Size() == 1);
  const auto& inits = *sim::find_path(native, "spec.initContainers");
  REQUIRE(inits.Size() == 2);
  CHECK(sim::string_member(inits[1], "name") == "istio-proxy");
  CHECK(sim::string_member(inits[1], "restartPolicy") == "Always");
}

TEST_CASE("rollout math: surge and unavailability bound each step") {
  rapidjson::Value pct("25%");
  CHECK(int_or_percent(&pct, 4, true) == 1);
  CHECK(int_or_percent(&pct, 3, true) == 1);
  CHECK(int_or_percent(&pct, 3, false) == 0);
  rapidjson::Value two(2);
  CHECK(int_or_percent(&two, 10, true) == 2);
  CHECK(int_or_percent(nullptr, 8, false) == 2);

  // 4 replicas, surge 1, unavailable 1: first step adds one new pod and removes one old.
  auto step = rolling_step({4, 1, 1, 0, 0, {4}, {4}, false});
  CHECK(step.new_replicas == 1);
  CHECK(step.old_replicas[0] == 3);
  // The new pods never become Ready (a failed injection): old pods stay at desired - unavailable.
  step = rolling_step({4, 1, 1, 2, 0, {3}, {3}, false});
  CHECK(step.new_replicas == 2);
  CHECK(step.old_replicas[0] == 3);
  // Everything new is Ready: old goes to zero.
  step = rolling_step({4, 1, 1, 4, 4, {1}, {1}, false});
  CHECK(step.old_replicas[0] == 0);
  // Recreate: old first, new only when no old pod is Ready.
  step = rolling_step({2, 0, 0, 0, 0, {2}, {2}, true});
  CHECK(step.old_replicas[0] == 0);
  CHECK(step.new_replicas == 0);
}

TEST_CASE("rollout math: template hashes are stable and change with the template") {
  auto a = sim::parse_json(R"({"metadata":{"labels":{"app":"x"}}})");
  auto b = sim::parse_json(R"({"metadata":{"labels":{"app":"y"}}})");
  CHECK(template_hash(*a) == template_hash(*a));
  CHECK(template_hash(*a) != template_hash(*b));
  CHECK(template_hash(*a).size() == 10);
  CHECK(random_suffix5().size() == 5);
}
