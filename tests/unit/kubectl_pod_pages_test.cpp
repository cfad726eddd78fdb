#include "meshca/mesh/kubectl_pod_pages.h"
#include "recording_kubectl.h"

#include <doctest/doctest.h>
#include <string>

using meshca::testing::RecordedCall;
using meshca::testing::RecordingKubectl;

namespace {

std::string page(const std::string& pods, const std::string& token) {
  return R"({"kind":"PodList","apiVersion":"v1","metadata":{"continue":")" + token +
         R"("},"items":[)" + pods + "]}";
}

std::string sidecar(const std::string& ns, const std::string& name, const std::string& rev) {
  return R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns + R"(","uid":"uid-)" + name +
         R"(","annotations":{"istio.io/rev":")" + rev +
         R"("}},"spec":{"containers":[{"name":"app"},{"name":"istio-proxy"}]},)"
         R"("status":{"phase":"Running"}})";
}

meshca::ProcessOutput answer(std::string out) {
  meshca::ProcessOutput output;
  output.exit_code = 0;
  output.out = std::move(out);
  return output;
}

} // namespace

TEST_CASE("the cluster's pods are read through kubectl a page at a time, each page reduced") {
  RecordingKubectl kubectl;
  // A continue token as the API server makes them: base64, which a query must percent-encode.
  const std::string token = "eyJ2IjoibWV0YS5rOHMuaW8vdjEi+/=";
  kubectl.on({"get", "--raw"},
             [&](const RecordedCall& call) -> meshca::Result<meshca::ProcessOutput> {
               const std::string& target = call.args.back();
               if (target == "/api/v1/pods?limit=2")
                 return answer(page(sidecar("shop", "web-2", "asm-1") + "," +
                                        sidecar("kube-system", "dns-1", "asm-1"),
                                    token));
               if (target == "/api/v1/pods?continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEi%2B%2F%3D&limit=2")
                 return answer(page(sidecar("bookinfo", "details-1", "asm-2"), ""));
               meshca::ProcessOutput output;
               output.exit_code = 1;
               output.err = "unexpected target " + target;
               return output;
             });
  auto pods = meshca::list_sidecar_pods_paged(kubectl, 2);
  REQUIRE_MESSAGE(pods.ok(), pods.error().message);
  REQUIRE(pods->sidecars.size() == 2);
  CHECK(pods->sidecars[0].name == "details-1"); // sorted by namespace, name across pages
  CHECK(pods->sidecars[0].uid == "uid-details-1");
  CHECK(pods->sidecars[1].name == "web-2");
  CHECK(pods->sidecars[1].revision == "asm-1");
  CHECK(pods->excluded_namespace == 1);
  CHECK(kubectl.calls().size() == 2);
}

meshca::ProcessOutput gone() {
  meshca::ProcessOutput output;
  output.exit_code = 1;
  output.err = "Error from server (Gone): The provided continue parameter is too old to display "
               "a consistent list result. You can start a new list without the continue "
               "parameter.\n";
  return output;
}

TEST_CASE("an expired continue token starts the list over once, then is a cluster error") {
  RecordingKubectl kubectl;
  int expirations = 1;
  kubectl.on({"get", "--raw"},
             [&](const RecordedCall& call) -> meshca::Result<meshca::ProcessOutput> {
               if (call.args.back().find("continue=") == std::string::npos)
                 return answer(page(sidecar("shop", "web-1", "asm-1"), "next"));
               if (expirations-- > 0)
                 return gone();
               return answer(page(sidecar("shop", "web-2", "asm-1"), ""));
             });
  auto restarted = meshca::list_sidecar_pods_paged(kubectl, 1);
  REQUIRE_MESSAGE(restarted.ok(), restarted.error().message);
  // The first pass's page is not counted twice.
  CHECK(restarted->sidecars.size() == 2);
  CHECK(kubectl.calls().size() == 4);

  RecordingKubectl always;
  always.on({"get", "--raw"},
            [](const RecordedCall& call) -> meshca::Result<meshca::ProcessOutput> {
              if (call.args.back().find("continue=") == std::string::npos)
                return answer(page(sidecar("shop", "web-1", "asm-1"), "next"));
              return gone();
            });
  auto expired = meshca::list_sidecar_pods_paged(always, 1);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().status == meshca::ExitStatus::cluster_error);
  CHECK(expired.error().message.find("(its continue token expired twice); run the command "
                                     "again") != std::string::npos);
  CHECK(always.calls().size() == 4);
}

TEST_CASE("a page that fails or is not JSON is a cluster error naming the list") {

  RecordingKubectl denied;
  denied.on_failure({"get", "--raw"}, "Error from server (Forbidden): pods is forbidden\n");
  auto forbidden = meshca::list_sidecar_pods_paged(denied);
  REQUIRE_FALSE(forbidden.ok());
  CHECK(forbidden.error().status == meshca::ExitStatus::cluster_error);
  CHECK(forbidden.error().message.find("listing pods") != std::string::npos);
  CHECK(forbidden.error().message.find("Forbidden") != std::string::npos);

  RecordingKubectl garbled;
  garbled.on_success({"get", "--raw"}, "{not json");
  auto invalid = meshca::list_sidecar_pods_paged(garbled);
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.error().message.find("pod list page 1: invalid JSON") != std::string::npos);
}

TEST_CASE("every namespace's pods, each page shown to an observer, which is told of a restart") {
  RecordingKubectl kubectl;
  int expirations = 1;
  kubectl.on({"get", "--raw"},
             [&](const RecordedCall& call) -> meshca::Result<meshca::ProcessOutput> {
               if (call.args.back().find("continue=") == std::string::npos)
                 return answer(page(sidecar("kube-system", "dns-1", "asm-1"), "next"));
               if (expirations-- > 0)
                 return gone();
               return answer(page(sidecar("shop", "web-2", "asm-1"), ""));
             });
  std::vector<std::string> seen;
  const meshca::PageObserver observer{[&seen](const rapidjson::Value& page) {
                                        seen.push_back(
                                            page["items"][0]["metadata"]["name"].GetString());
                                      },
                                      [&seen] { seen.push_back("restart"); }};
  auto pods = meshca::list_pods_paged(kubectl, false, &observer, 1);
  REQUIRE_MESSAGE(pods.ok(), pods.error().message);
  CHECK(seen == std::vector<std::string>{"dns-1", "restart", "dns-1", "web-2"});
  REQUIRE(pods->sidecars.size() == 2); // kube-system kept: no namespace is left out
  CHECK(pods->sidecars[0].name == "dns-1");
  CHECK(pods->excluded_namespace == 0);
}
