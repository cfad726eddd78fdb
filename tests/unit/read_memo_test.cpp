#include "meshca/kube/read_memo.h"

#include <doctest/doctest.h>

using meshca::memo_keeps;
using meshca::ProcessOutput;
using meshca::ReadMemo;

namespace {

ProcessOutput answer(std::string out, int exit_code = 0) {
  ProcessOutput output;
  output.exit_code = exit_code;
  output.out = std::move(out);
  return output;
}

const std::vector<std::string> kDeployments = {
    "--context",  "east",         "get", "deployments", "--all-namespaces",
    "--selector", "istio.io/rev", "-o",  "json"};

} // namespace

TEST_CASE("the memo keeps the control plane's JSON lists, never pods, secrets, exec or watches") {
  // The calls of mesh/control_plane.cpp, mesh/revision_ca_read.cpp and the snapshot readers.
  CHECK(memo_keeps(
      {"get", "deployments", "--all-namespaces", "--selector", "istio.io/rev", "-o", "json"}));
  CHECK(memo_keeps({"get", "mutatingwebhookconfigurations", "-o", "json"}));
  CHECK(memo_keeps({"get", "namespaces", "-o", "json"}));
  CHECK(memo_keeps({"get", "istiooperators.install.istio.io", "-n", "istio-system", "-o", "json"}));
  CHECK(memo_keeps({"get", "configmaps", "-n", "istio-system", "-o", "json"}));
  CHECK(memo_keeps({"get", "configmaps", "--all-namespaces", "--field-selector",
                    "metadata.name=istio-ca-root-cert", "-o", "json"}));

  CHECK_FALSE(memo_keeps({"get", "pods", "-n", "shop", "-o", "json"}));
  CHECK_FALSE(memo_keeps({"get", "secret", "cacerts", "istio-ca-secret", "-n", "istio-system",
                          "--ignore-not-found", "-o", "name"}));
  CHECK_FALSE(memo_keeps({"get", "--raw", "/api/v1/pods?limit=500"}));
  CHECK_FALSE(memo_keeps({"get", "namespace", "istio-system", "-o", "name"}));
  CHECK_FALSE(memo_keeps({"get", "namespaces", "-o", "name"}));
  CHECK_FALSE(memo_keeps({"get", "namespaces", "-o", "json", "--watch"}));
  CHECK_FALSE(memo_keeps({"get", "namespaces", "-w", "-o", "json"}));
  CHECK_FALSE(
      memo_keeps({"get", "deployments,statefulsets,daemonsets", "-n", "shop", "-o", "json"}));
  CHECK_FALSE(memo_keeps({"patch", "namespace", "shop", "-o", "json"}));
  CHECK_FALSE(memo_keeps({"exec", "pod", "--", "get", "namespaces", "-o", "json"}));
  CHECK_FALSE(memo_keeps({}));
}

TEST_CASE("an answer serves the same command line only, and only while the memo is on") {
  ReadMemo memo;
  memo.remember(kDeployments, answer("before enable"));
  CHECK_FALSE(memo.find(kDeployments)); // off: nothing kept

  memo.enable();
  CHECK_FALSE(memo.find(kDeployments));
  memo.remember(kDeployments, answer("{\"items\":[]}"));
  auto found = memo.find(kDeployments);
  REQUIRE(found);
  CHECK(found->out == "{\"items\":[]}");
  CHECK(found->succeeded());

  // Another cluster's identical list is its own call.
  std::vector<std::string> west = kDeployments;
  west[1] = "west";
  CHECK_FALSE(memo.find(west));

  // A failed or timed-out read is not kept: the next call runs again (and may be retried).
  memo.remember(west, answer("", 1));
  CHECK_FALSE(memo.find(west));
  ProcessOutput timed_out = answer("partial");
  timed_out.timed_out = true;
  memo.remember(west, timed_out);
  CHECK_FALSE(memo.find(west));
}

TEST_CASE("the run's first change ends the memo for good") {
  ReadMemo memo;
  memo.enable();
  memo.remember(kDeployments, answer("old"));
  memo.stop();
  CHECK_FALSE(memo.find(kDeployments));
  // A read that started before the change and ends after it is not kept.
  memo.remember(kDeployments, answer("read across the change"));
  CHECK_FALSE(memo.find(kDeployments));
  // Nor does a second enable turn it back on within the run.
  memo.enable();
  memo.remember(kDeployments, answer("new"));
  CHECK_FALSE(memo.find(kDeployments));
}
