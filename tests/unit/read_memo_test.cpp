#include "meshca/kube/kubectl_calls.h"
#include "meshca/kube/read_memo.h"

#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <functional>
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

// Two identical calls to serve(), side by side: the first read is held until release(); the
// second call starts once the first is under way.
class SideBySide {
 public:
  SideBySide(ReadMemo& memo, std::vector<std::string> call, ProcessOutput first_answer,
             ProcessOutput later_answer)
      : first_answer_(std::move(first_answer)), later_answer_(std::move(later_answer)) {
    auto started = started_.get_future();
    first_ =
        std::async(std::launch::async, [&memo, call, this] { return memo.serve(call, read()); });
    // A call answered from the memo never reads: fail rather than wait for ever.
    REQUIRE(started.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    second_ =
        std::async(std::launch::async, [&memo, call, this] { return memo.serve(call, read()); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50)); // the second is waiting by now
  }
  void release() { release_.set_value(); }
  meshca::Result<ProcessOutput> first() { return first_.get(); }
  meshca::Result<ProcessOutput> second() { return second_.get(); }
  int reads() const { return reads_.load(); }

 private:
  std::function<meshca::Result<ProcessOutput>()> read() {
    return [this]() -> meshca::Result<ProcessOutput> {
      if (reads_.fetch_add(1) > 0)
        return later_answer_;
      started_.set_value();
      released_.wait();
      return first_answer_;
    };
  }

  ProcessOutput first_answer_;
  ProcessOutput later_answer_;
  std::atomic<int> reads_ = 0;
  std::promise<void> started_;
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  std::future<meshca::Result<ProcessOutput>> first_;
  std::future<meshca::Result<ProcessOutput>> second_;
};

TEST_CASE("two runs of the same read side by side start one read, and both get its answer") {
  ReadMemo memo;
  memo.enable();
  SideBySide calls(memo, kDeployments, answer("{\"items\":[]}"), answer("a second read"));
  calls.release();
  auto first = calls.first();
  auto second = calls.second();
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->out == "{\"items\":[]}");
  CHECK(second->out == "{\"items\":[]}");
  CHECK(calls.reads() == 1);
}

TEST_CASE("a read waiting on another reads for itself when that one fails or the memo stops") {
  ReadMemo memo;
  memo.enable();
  {
    // A failure is never handed on.
    SideBySide calls(memo, kDeployments, answer("", 1), answer("second"));
    calls.release();
    CHECK(calls.first()->exit_code == 1);
    CHECK(calls.second()->out == "second");
    CHECK(calls.reads() == 2);
  }
  CHECK(memo.find(kDeployments)->out == "second");
  // A change while a read is under way: the waiting call does not take an answer kept across
  // it, it reads again; nothing is kept after the change.
  const std::vector<std::string> webhooks = {
      "--context", "east", "get", "mutatingwebhookconfigurations", "-o", "json"};
  SideBySide calls(memo, webhooks, answer("before the change"), answer("after the change"));
  memo.stop();
  CHECK(calls.second()->out == "after the change"); // its own read, after the stop
  calls.release();
  CHECK(calls.first()->out == "before the change");
  CHECK(calls.reads() == 2);
  CHECK_FALSE(memo.find(webhooks));
  CHECK_FALSE(memo.find(kDeployments));
}
