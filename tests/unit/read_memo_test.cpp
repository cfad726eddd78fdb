#include "meshca/kube/kubectl_calls.h"
#include "meshca/kube/read_memo.h"

#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <future>
#include <thread>

using meshca::ca_secret_roots_args;
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

TEST_CASE("the memo keeps the control plane's JSON lists and the CA roots, never pods, keys, exec "
          "or watches") {
  // The calls of mesh/control_plane.cpp, mesh/revision_ca_read.cpp and the snapshot readers.
  CHECK(memo_keeps(
      {"get", "deployments", "--all-namespaces", "--selector", "istio.io/rev", "-o", "json"}));
  CHECK(memo_keeps({"get", "mutatingwebhookconfigurations", "-o", "json"}));
  CHECK(memo_keeps({"get", "namespaces", "-o", "json"}));
  CHECK(memo_keeps({"get", "istiooperators.install.istio.io", "-n", "istio-system", "-o", "json"}));
  CHECK(memo_keeps({"get", "configmaps", "-n", "istio-system", "-o", "json"}));
  CHECK(memo_keeps({"get", "configmaps", "--all-namespaces", "--field-selector",
                    "metadata.name=istio-ca-root-cert", "-o", "json"}));

  // The CA secrets only as their names and root certificates, never whole (with the keys).
  CHECK(memo_keeps(ca_secret_roots_args()));
  CHECK(ca_secret_roots_args().back().find("{.data.root-cert\\.pem}") != std::string::npos);
  CHECK(ca_secret_roots_args().back().find("key") == std::string::npos);

  CHECK_FALSE(memo_keeps({"get", "pods", "-n", "shop", "-o", "json"}));
  CHECK_FALSE(memo_keeps({"get", "secret", "cacerts", "istio-ca-secret", "-n", "istio-system",
                          "--ignore-not-found", "-o", "name"}));
  CHECK_FALSE(memo_keeps({"get", "secret", "cacerts", "istio-ca-secret", "-n", "istio-system",
                          "--ignore-not-found", "-o", "json"}));
  CHECK_FALSE(memo_keeps(
      {"get", "secret", "cacerts", "-n", "istio-system", "-o", "jsonpath={.data.ca-key\\.pem}"}));
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

TEST_CASE("two runs of the same read side by side start one read, and both get its answer") {
  ReadMemo memo;
  memo.enable();
  std::atomic<int> reads = 0;
  std::promise<void> first_started;
  std::promise<void> release;
  auto released = release.get_future().share();
  const auto slow_read = [&]() -> meshca::Result<ProcessOutput> {
    if (reads.fetch_add(1) == 0) {
      first_started.set_value();
      released.wait();
    }
    return answer("{\"items\":[]}");
  };
  auto first = std::async(std::launch::async, [&] { return memo.serve(kDeployments, slow_read); });
  first_started.get_future().wait();
  auto second = std::async(std::launch::async, [&] { return memo.serve(kDeployments, slow_read); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50)); // the second is waiting by now
  release.set_value();
  auto a = first.get();
  auto b = second.get();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->out == "{\"items\":[]}");
  CHECK(b->out == "{\"items\":[]}");
  CHECK(reads.load() == 1);
}

TEST_CASE("a read waiting on another reads for itself when that one fails or the memo stops") {
  ReadMemo memo;
  memo.enable();
  std::atomic<int> reads = 0;
  std::promise<void> first_started;
  std::promise<void> release;
  auto released = release.get_future().share();
  const auto failing_first = [&]() -> meshca::Result<ProcessOutput> {
    if (reads.fetch_add(1) == 0) {
      first_started.set_value();
      released.wait();
      return answer("", 1); // a failure is never handed on
    }
    return answer("second");
  };
  auto first =
      std::async(std::launch::async, [&] { return memo.serve(kDeployments, failing_first); });
  first_started.get_future().wait();
  auto second =
      std::async(std::launch::async, [&] { return memo.serve(kDeployments, failing_first); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  release.set_value();
  CHECK(first.get()->exit_code == 1);
  CHECK(second.get()->out == "second");
  CHECK(reads.load() == 2);

  // A change while a read is under way: the waiting call does not take an answer kept across
  // it, it reads again; nothing is kept after the change.
  const std::vector<std::string> webhooks = {
      "--context", "east", "get", "mutatingwebhookconfigurations", "-o", "json"};
  std::promise<void> started;
  std::promise<void> go;
  auto go_future = go.get_future().share();
  std::atomic<int> webhook_reads = 0;
  const auto across_change = [&]() -> meshca::Result<ProcessOutput> {
    if (webhook_reads.fetch_add(1) == 0) {
      started.set_value();
      go_future.wait();
    }
    return answer("webhooks");
  };
  auto under_way =
      std::async(std::launch::async, [&] { return memo.serve(webhooks, across_change); });
  started.get_future().wait();
  auto waiting =
      std::async(std::launch::async, [&] { return memo.serve(webhooks, across_change); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  memo.stop();
  CHECK(waiting.get()->out == "webhooks"); // its own read, after the stop
  go.set_value();
  CHECK(under_way.get()->out == "webhooks");
  CHECK(webhook_reads.load() == 2);
  CHECK_FALSE(memo.find(webhooks));
}
