// Request targets and page-by-page pod lists of the in-process API client.

#include "meshca/kube/api_client_paths.h"
#include "meshca/mesh/pod_pager.h"

#include <doctest/doctest.h>

using namespace meshca;

TEST_CASE("percent_encode keeps unreserved characters and encodes the rest") {
  CHECK(percent_encode("abc-XYZ_0.9~") == "abc-XYZ_0.9~");
  CHECK(percent_encode("config_dump?mask=a,b") == "config_dump%3Fmask%3Da%2Cb");
  CHECK(percent_encode("a b/c&d=e") == "a%20b%2Fc%26d%3De");
  CHECK(percent_encode("\xff") == "%FF");
  CHECK(percent_encode("") == "");
}

TEST_CASE("exec_target sends the command as repeated command= words, as kubectl does") {
  CHECK(exec_target("bookinfo", "web-1", "istio-proxy",
                    {"pilot-agent", "request", "GET", "config_dump?mask=x"}) ==
        "/api/v1/namespaces/bookinfo/pods/web-1/exec?command=pilot-agent&command=request&"
        "command=GET&command=config_dump%3Fmask%3Dx&container=istio-proxy&stderr=true&stdout=true");
}

TEST_CASE("a hostile object name cannot change the path") {
  CHECK(namespace_target("a/../b") == "/api/v1/namespaces/a%2F..%2Fb");
  CHECK(exec_target("ns", "p?x=1", "c", {}) ==
        "/api/v1/namespaces/ns/pods/p%3Fx%3D1/exec?container=c&stderr=true&stdout=true");
}

TEST_CASE("pod_list_target: all namespaces or one, selector, page size and continue token") {
  CHECK(pod_list_target({}) == "/api/v1/pods?limit=500");
  CHECK(pod_list_target({"foo", "app=web,tier in (a,b)", 100, ""}) ==
        "/api/v1/namespaces/foo/pods?labelSelector=app%3Dweb%2Ctier%20in%20%28a%2Cb%29&limit=100");
  CHECK(pod_list_target({std::nullopt, "", 500, "eyJ2Ijoi+/="}) ==
        "/api/v1/pods?continue=eyJ2Ijoi%2B%2F%3D&limit=500");
}

namespace {

std::string pod(const std::string& ns, const std::string& name,
                const std::string& phase = "Running", bool sidecar = true) {
  return R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns +
         R"("},"spec":{"containers":[{"name":"app"})" +
         (sidecar ? R"(,{"name":"istio-proxy"})" : "") + R"(]},"status":{"phase":")" + phase +
         R"("}})";
}

std::string page(const std::vector<std::string>& pods, const std::string& token) {
  std::string items;
  for (const auto& p : pods)
    items += (items.empty() ? "" : ",") + p;
  return R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7")" +
         (token.empty() ? std::string() : R"(,"continue":")" + token + "\"") + R"(},"items":[)" +
         items + "]}";
}

} // namespace

TEST_CASE("PodPager merges pages, returns each continue token and sorts the sidecars") {
  PodPager pager(true);
  auto first = pager.add_page(
      page({pod("zeta", "b"), pod("alpha", "x", "Pending"), pod("kube-system", "dns")}, "next-1"));
  REQUIRE(first.ok());
  CHECK(*first == "next-1");
  auto second = pager.add_page(page({pod("alpha", "a"), pod("zeta", "a", "Running", false)}, ""));
  REQUIRE(second.ok());
  CHECK(second->empty());
  CHECK(pager.pages() == 2);
  const PodSelection all = pager.take();
  REQUIRE(all.sidecars.size() == 2);
  CHECK(all.sidecars[0].ns == "alpha");
  CHECK(all.sidecars[0].name == "a");
  CHECK(all.sidecars[1].ns == "zeta");
  CHECK(all.not_running == 1);
  CHECK(all.without_sidecar == 1);
  CHECK(all.excluded_namespace == 1);
}

TEST_CASE("PodPager keeps system namespaces when they were asked for") {
  PodPager pager(false);
  REQUIRE(pager.add_page(page({pod("kube-system", "dns")}, "")).ok());
  CHECK(pager.take().sidecars.size() == 1);
}

TEST_CASE("PodPager rejects a page that is not JSON or not a pod list") {
  PodPager pager(true);
  auto broken = pager.add_page(R"({"kind":"PodList","items":[)");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message.find("pod list page 1") != std::string::npos);
  auto status = pager.add_page(R"({"kind":"Status","status":"Failure","message":"forbidden"})");
  CHECK_FALSE(status.ok());
  CHECK(pager.pages() == 0);
}
