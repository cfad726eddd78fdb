// Request targets and page-by-page pod lists of the in-process API client.

#include "meshca/kube/api_client_paths.h"
#include "meshca/mesh/pod_pager.h"

#include <doctest/doctest.h>
#include <functional>
#include <set>

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

TEST_CASE("read_pod_pages: every listing's pages in one selection, an expired token starts over "
          "once") {
  // Two namespaces of two pages each; `expire` names the requests (by number) that answer 410.
  struct Cluster {
    std::set<int> expire;
    std::vector<std::string> asked;
    Result<PodPage> operator()(const PodListQuery& query) {
      asked.push_back(pod_list_target(query));
      if (expire.count(static_cast<int>(asked.size())) != 0)
        return PodPage{true, ""};
      const std::string ns = query.ns.value_or("?");
      if (query.continue_token.empty())
        return PodPage{false, page({pod(ns, "a")}, ns + "-2")};
      return PodPage{false, page({pod(ns, "b")}, "")};
    }
  };
  const std::vector<PodListQuery> listings = {{"one", "", 1, ""}, {"two", "", 1, ""}};

  Cluster calm;
  auto all = read_pod_pages(listings, false, std::ref(calm));
  REQUIRE(all.ok());
  CHECK(all->sidecars.size() == 4);
  CHECK(calm.asked ==
        std::vector<std::string>{"/api/v1/namespaces/one/pods?limit=1",
                                 "/api/v1/namespaces/one/pods?continue=one-2&limit=1",
                                 "/api/v1/namespaces/two/pods?limit=1",
                                 "/api/v1/namespaces/two/pods?continue=two-2&limit=1"});

  // The token expires in the second namespace: the whole list is read again, and the first
  // namespace's pods of the first pass are not counted twice.
  Cluster busy{{4}, {}};
  auto again = read_pod_pages(listings, false, std::ref(busy));
  REQUIRE(again.ok());
  CHECK(again->sidecars.size() == 4);
  CHECK(busy.asked.size() == 8);
  CHECK(busy.asked[4] == "/api/v1/namespaces/one/pods?limit=1");

  Cluster racing{{2, 4}, {}};
  auto twice = read_pod_pages(listings, false, std::ref(racing));
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().status == ExitStatus::cluster_error);
  CHECK(twice.error().message.find("(its continue token expired twice); run the command again") !=
        std::string::npos);

  // A transport's error ends the read as it is; a page that is not a pod list is a cluster error.
  auto failing = read_pod_pages(listings, false, [](const PodListQuery&) -> Result<PodPage> {
    return cluster_error("listing pods: forbidden");
  });
  REQUIRE_FALSE(failing.ok());
  CHECK(failing.error().message == "listing pods: forbidden");
  auto garbage = read_pod_pages(listings, false, [](const PodListQuery&) -> Result<PodPage> {
    return PodPage{false, "<html>"};
  });
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().status == ExitStatus::cluster_error);
  CHECK(garbage.error().message.find("listing pods: pod list page 1: invalid JSON") == 0);
}
