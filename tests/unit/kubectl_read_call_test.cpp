// kubectl's plain reads as API requests: which calls have one, the GET each sends, and the
// output and failures made to read as kubectl's own.

#include "meshca/kube/kubectl.h"
#include "meshca/kube/kubectl_read_call.h"
#include "meshca/kube/retry.h"
#include "meshca/util/json.h"

#include <doctest/doctest.h>

using namespace meshca;

namespace {

std::string target_of(const std::vector<std::string>& args) {
  const auto call = read_call_for(args);
  REQUIRE(call.has_value());
  return read_call_target(*call);
}

} // namespace

TEST_CASE("the commands' list reads become the API paths kubectl itself requests") {
  CHECK(target_of({"get", "deployments", "--all-namespaces", "--selector", "istio.io/rev", "-o",
                   "json"}) == "/apis/apps/v1/deployments?labelSelector=istio.io%2Frev&limit=500");
  CHECK(target_of({"get", "mutatingwebhookconfigurations", "-o", "json"}) ==
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?limit=500");
  CHECK(target_of({"get", "istiooperators.install.istio.io", "-n", "istio-system", "-o", "json"}) ==
        "/apis/install.istio.io/v1alpha1/namespaces/istio-system/istiooperators?limit=500");
  CHECK(target_of({"get", "configmaps", "--all-namespaces", "--field-selector",
                   "metadata.name=istio-ca-root-cert", "-o", "json"}) ==
        "/api/v1/configmaps?fieldSelector=metadata.name%3Distio-ca-root-cert&limit=500");
  CHECK(target_of({"get", "namespaces", "--selector", "env in (a,b)", "-o", "json"}) ==
        "/api/v1/namespaces?labelSelector=env%20in%20%28a%2Cb%29&limit=500");
  CHECK(target_of({"get", "pods", "-n", "istio-system", "-o", "json"}) ==
        "/api/v1/namespaces/istio-system/pods?limit=500");
  CHECK(target_of({"get", "services", "--namespace=bookinfo", "-o=json"}) ==
        "/api/v1/namespaces/bookinfo/services?limit=500");
  CHECK(target_of({"get", "pods", "-A", "-l", "app=web", "-o", "json"}) ==
        "/api/v1/pods?labelSelector=app%3Dweb&limit=500");
}

TEST_CASE("one object by name, as JSON or as its name, and a raw path as given") {
  auto ledger =
      read_call_for({"get", "configmap", "meshca-migration", "-n", "istio-system", "-o", "json"});
  REQUIRE(ledger);
  CHECK_FALSE(ledger->list);
  CHECK(read_call_target(*ledger) == "/api/v1/namespaces/istio-system/configmaps/meshca-migration");
  auto ns = read_call_for({"get", "namespace", "istio-system", "-o", "name"});
  REQUIRE(ns);
  CHECK(ns->output == ReadCall::Output::name);
  CHECK(read_call_target(*ns) == "/api/v1/namespaces/istio-system");
  CHECK(target_of(
            {"get", "mutatingwebhookconfiguration", "istio-revision-tag-default", "-o", "json"}) ==
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/"
        "istio-revision-tag-default");
  // A name cannot leave its path segment.
  CHECK(target_of({"get", "pod", "a/../b?x", "-n", "ns", "-o", "json"}) ==
        "/api/v1/namespaces/ns/pods/a%2F..%2Fb%3Fx");
  auto raw = read_call_for({"get", "--raw", "/api/v1/pods?limit=500&continue=abc"});
  REQUIRE(raw);
  CHECK(raw->output == ReadCall::Output::raw);
  CHECK(read_call_target(*raw, "ignored") == "/api/v1/pods?limit=500&continue=abc");
}

TEST_CASE("every other call stays a kubectl process") {
  const std::vector<std::vector<std::string>> kept = {
      // Secrets: their data (CA keys) never enters this process.
      {"get", "secret", "cacerts", "-n", "istio-system", "-o", "json"},
      {"get", "secrets", "-n", "istio-system", "-o", "json"},
      {"get", "secret", "cacerts", "istio-ca-secret", "-n", "istio-system", "--ignore-not-found",
       "-o", "name"},
      {"get", "--raw", "/api/v1/namespaces/istio-system/secrets/cacerts"},
      {"get", "--raw", "/api/v1/secrets?limit=500"},
      // kubectl's own printers.
      {"get", "pods", "-n", "x", "-o", "jsonpath={.items[*].metadata.name}"},
      {"get", "pods", "-n", "x"},
      {"get", "pods", "-n", "x", "-o", "yaml"},
      // A namespaced type without -n is read in the kubeconfig's namespace, which kubectl knows.
      {"get", "pods", "-o", "json"},
      {"get", "configmap", "x", "-o", "json"},
      // Forms kubectl answers with its own errors, types it resolves, flags not reproduced.
      {"get", "pod", "a", "b", "-n", "x", "-o", "json"},
      {"get", "pod", "a", "-A", "-o", "json"},
      {"get", "pod", "a", "-n", "x", "-l", "app=y", "-o", "json"},
      {"get", "deployments,statefulsets", "-n", "x", "-o", "json"},
      {"get", "widgets", "-n", "x", "-o", "json"},
      {"get", "pods", "-n", "x", "--chunk-size", "10", "-o", "json"},
      {"get", "pods", "-n", "", "-o", "json"},
      {"get", "pods", "-n"},
      {"get", "--raw", "relative"},
      {"get", "--raw"},
      // Not reads.
      {"patch", "deployment", "x", "-n", "y", "-p", "{}"},
      {"exec", "pod", "-n", "x", "--", "true"},
      {"rollout", "status", "deployment/x", "-n", "y"},
      {"delete", "configmap", "x", "-n", "y"},
      {"get"},
  };
  for (const auto& args : kept) {
    CAPTURE(display_args(args));
    CHECK_FALSE(read_call_for(args).has_value());
  }
}

TEST_CASE("failures read as kubectl's: NotFound, a missing type, ignore-not-found, 5xx") {
  const auto ledger =
      *read_call_for({"get", "configmap", "meshca-migration", "-n", "istio-system", "-o", "json"});
  const ProcessOutput missing = read_call_failure(
      ledger, 404,
      R"({"kind":"Status","status":"Failure","message":"configmaps \"meshca-migration\" not found",)"
      R"("reason":"NotFound","code":404})");
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "Error from server (NotFound): configmaps \"meshca-migration\" not found\n");
  CHECK(is_not_found(missing));
  CHECK_FALSE(is_retryable_kubectl_failure(missing));

  const auto operators = *read_call_for(
      {"get", "istiooperators.install.istio.io", "-n", "istio-system", "-o", "json"});
  const ProcessOutput no_type = read_call_failure(operators, 404, "404 page not found");
  CHECK(no_type.err == "error: the server doesn't have a resource type \"istiooperators\"\n");

  const auto optional_map = *read_call_for(
      {"get", "configmap", "istio-ca-root-cert", "-n", "shop", "--ignore-not-found", "-o", "name"});
  const ProcessOutput ignored = read_call_failure(optional_map, 404, "{}");
  CHECK(ignored.succeeded());
  CHECK(ignored.out.empty());

  const ProcessOutput server = read_call_failure(
      ledger, 500, R"({"kind":"Status","message":"etcd is down","reason":"InternalError"})");
  CHECK(server.err == "Error from server (InternalError): etcd is down\n");
  CHECK(is_retryable_kubectl_failure(server)); // as kubectl's own, until marked as retried
  ProcessOutput retried = server;
  retried.attempts_made = true;
  CHECK_FALSE(is_retryable_kubectl_failure(retried));

  const ProcessOutput plain = read_call_failure(ledger, 503, "upstream connect error\n");
  CHECK(plain.err == "Error from server (ServiceUnavailable): upstream connect error\n");
}

TEST_CASE("a raw read's failure is named by its HTTP status, as kubectl --raw does") {
  const auto page = *read_call_for({"get", "--raw", "/api/v1/pods?limit=500&continue=old"});
  const ProcessOutput expired = read_call_failure(
      page, 410, R"({"kind":"Status","message":"the continue token expired","reason":"Expired"})");
  CHECK(expired.err == "Error from server (Gone): the continue token expired\n");
}

TEST_CASE("a list's pages are one List, each item with its kind and apiVersion first") {
  const auto call = *read_call_for({"get", "deployments", "-A", "-o", "json"});
  ReadCallOutput printed(call);
  auto first = printed.add("/apis/apps/v1/deployments?limit=500",
                           R"({"kind":"DeploymentList","apiVersion":"apps/v1",)"
                           R"("metadata":{"continue":"next-page"},)"
                           R"("items":[{"metadata":{"name":"a","namespace":"x"},"spec":{}}]})");
  REQUIRE(first.ok());
  CHECK(*first == "next-page");
  auto last = printed.add("/apis/apps/v1/deployments?continue=next-page&limit=500",
                          R"({"kind":"DeploymentList","metadata":{},"items":[)"
                          R"({"metadata":{"name":"b","namespace":"y"}}]})");
  REQUIRE(last.ok());
  CHECK(last->empty());
  CHECK(printed.text() ==
        R"({"apiVersion":"v1","items":[)"
        R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","namespace":"x"},)"
        R"("spec":{}},{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"b",)"
        R"("namespace":"y"}}],"kind":"List","metadata":{"resourceVersion":""}})"
        "\n");
  auto parsed = json::parse(printed.text(), "list");
  REQUIRE(parsed.ok());

  const auto names = *read_call_for({"get", "deployments", "-n", "x", "-o", "name"});
  ReadCallOutput lines(names);
  REQUIRE(
      lines.add("t", R"({"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})").ok());
  CHECK(lines.text() == "deployment.apps/a\ndeployment.apps/b\n");
}

TEST_CASE("one object is printed as it came, its name as kubectl's -o name, bad JSON an error") {
  const auto json_call = *read_call_for({"get", "namespace", "istio-system", "-o", "json"});
  ReadCallOutput object(json_call);
  REQUIRE(
      object
          .add("t", R"({"kind":"Namespace","apiVersion":"v1","metadata":{"name":"istio-system"}})")
          .ok());
  CHECK(
      object.text() ==
      "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"istio-system\"}}\n");

  const auto name_call = *read_call_for({"get", "namespace", "istio-system", "-o", "name"});
  ReadCallOutput name(name_call);
  REQUIRE(name.add("t", R"({"metadata":{"name":"istio-system"}})").ok());
  CHECK(name.text() == "namespace/istio-system\n");

  ReadCallOutput broken(json_call);
  auto bad = broken.add("/api/v1/namespaces/istio-system", "{not json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("/api/v1/namespaces/istio-system") != std::string::npos);
  const auto list_call = *read_call_for({"get", "pods", "-A", "-o", "json"});
  ReadCallOutput no_items(list_call);
  CHECK_FALSE(no_items.add("/api/v1/pods", R"({"kind":"Status"})").ok());
}
