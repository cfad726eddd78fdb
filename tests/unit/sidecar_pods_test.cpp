#include "meshca/mesh/sidecar_pods.h"

#include <doctest/doctest.h>

namespace {

rapidjson::Document parse(const char* text) {
  rapidjson::Document doc;
  doc.Parse(text);
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

// A PodList in the shape kubectl prints: a sidecar pod with only the status annotation, a
// revisioned sidecar, a native sidecar, a gateway (label only), a pending pod, a pod without a
// sidecar, and a kube-system pod.
constexpr const char* kPods = R"({"apiVersion":"v1","kind":"List","items":[
 {"metadata":{"name":"b-pod","namespace":"foo","annotations":{
   "sidecar.istio.io/status":"{\"initContainers\":[\"istio-init\"],\"containers\":[\"istio-proxy\"],\"revision\":\"asm-1\"}"},
   "ownerReferences":[{"kind":"ReplicaSet","name":"b-7d9"}]},
  "spec":{"containers":[{"name":"app"},{"name":"istio-proxy"}]},"status":{"phase":"Running"}},
 {"metadata":{"name":"a-pod","namespace":"foo","annotations":{"istio.io/rev":"asm-2",
   "sidecar.istio.io/status":"{\"revision\":\"asm-1\"}"}},
  "spec":{"containers":[{"name":"app"},{"name":"istio-proxy"}]},"status":{"phase":"Running"}},
 {"metadata":{"name":"native","namespace":"bar","annotations":{"istio.io/rev":"asm-2"}},
  "spec":{"initContainers":[{"name":"istio-proxy","restartPolicy":"Always"}],"containers":[{"name":"app"}]},
  "status":{"phase":"Running"}},
 {"metadata":{"name":"gw","namespace":"istio-system","labels":{"istio.io/rev":"asm-1"}},
  "spec":{"containers":[{"name":"istio-proxy"}]},"status":{"phase":"Running"}},
 {"metadata":{"name":"pending","namespace":"foo"},
  "spec":{"containers":[{"name":"istio-proxy"}]},"status":{"phase":"Pending"}},
 {"metadata":{"name":"plain","namespace":"foo"},
  "spec":{"containers":[{"name":"app"}],"initContainers":[{"name":"istio-proxy"}]},"status":{"phase":"Running"}},
 {"metadata":{"name":"dns","namespace":"kube-system"},
  "spec":{"containers":[{"name":"istio-proxy"}]},"status":{"phase":"Running"}}
]})";

} // namespace

TEST_CASE("sidecar pods are selected, sorted, and the rest counted") {
  const auto doc = parse(kPods);
  auto selection = meshca::select_sidecar_pods(doc, true);
  REQUIRE(selection.ok());
  REQUIRE(selection->sidecars.size() == 4);
  CHECK(selection->sidecars[0].ns == "bar");
  CHECK(selection->sidecars[1].name == "a-pod");
  CHECK(selection->sidecars[2].name == "b-pod");
  CHECK(selection->sidecars[3].name == "gw");
  CHECK(selection->not_running == 1);
  CHECK(selection->without_sidecar == 1); // an init container without restartPolicy Always
  CHECK(selection->excluded_namespace == 1);
}

TEST_CASE("a pod's revision: annotation, then status annotation, then label") {
  const auto doc = parse(kPods);
  auto selection = meshca::select_sidecar_pods(doc, false);
  REQUIRE(selection.ok());
  auto find = [&](const std::string& name) {
    for (const auto& pod : selection->sidecars)
      if (pod.name == name)
        return pod;
    FAIL("pod not selected: " << name);
    return meshca::SidecarPod{};
  };
  CHECK(find("a-pod").revision == "asm-2");
  CHECK(find("b-pod").revision == "asm-1");
  CHECK(find("b-pod").owner_kind == "ReplicaSet");
  CHECK(find("gw").revision == "asm-1");
  CHECK(find("gw").gateway);
  CHECK(find("native").native_sidecar);
  CHECK_FALSE(find("a-pod").gateway);
  CHECK(find("dns").ns == "kube-system"); // kept when system namespaces are not skipped
}

TEST_CASE("a document that is not a pod list is bad input") {
  const auto doc = parse(R"({"kind":"Pod","metadata":{"name":"x"}})");
  auto selection = meshca::select_sidecar_pods(doc, true);
  REQUIRE_FALSE(selection.ok());
  CHECK(selection.error().status == meshca::ExitStatus::bad_input);
}

TEST_CASE("a malformed status annotation yields no revision instead of failing") {
  const auto doc = parse(R"({"metadata":{"annotations":{"sidecar.istio.io/status":"{not json"}}})");
  CHECK(meshca::pod_revision(doc).empty());
}
