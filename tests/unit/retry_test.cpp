#include "../support/recording_kubectl.h"
#include "meshca/kube/kubectl.h"
#include "meshca/kube/retry.h"

#include <atomic>
#include <doctest/doctest.h>
#include <memory>

namespace meshca {
namespace {

using namespace std::chrono_literals;
using Clock = RetryBudget::Clock;

// A clock the test moves by hand.
struct FakeClock {
  Clock::time_point now{};
  RetryBudget::Now source() {
    return [this] { return now; };
  }
};

ProcessOutput failed_with(std::string err) {
  ProcessOutput output;
  output.exit_code = 1;
  output.err = std::move(err);
  return output;
}

RetryPolicy small_policy() {
  RetryPolicy policy;
  policy.max_attempts = 4;
  policy.first_delay = 100ms;
  policy.max_delay = 300ms;
  policy.budget = 1000ms;
  return policy;
}

} // namespace

TEST_CASE("backoff doubles from the first delay and stops at the cap") {
  const RetryPolicy policy = small_policy();
  CHECK(backoff_delay(policy, 1) == 100ms);
  CHECK(backoff_delay(policy, 2) == 200ms);
  CHECK(backoff_delay(policy, 3) == 300ms);
  CHECK(backoff_delay(policy, 10) == 300ms);
}

TEST_CASE("the default policy makes a few attempts within a bounded time") {
  const RetryPolicy& policy = default_read_retry_policy();
  CHECK(policy.max_attempts >= 2);
  CHECK(policy.max_attempts <= 5);
  std::chrono::milliseconds waits{0};
  for (int retry = 1; retry < policy.max_attempts; ++retry)
    waits += backoff_delay(policy, retry);
  CHECK(waits <= policy.budget);
  CHECK(policy.budget <= 30s);
}

TEST_CASE("a retryable failure is retried until the attempts run out") {
  FakeClock clock;
  RetryBudget budget(small_policy(), clock.source());
  CHECK(budget.next_delay(true) == 100ms);
  clock.now += 150ms;
  CHECK(budget.next_delay(true) == 200ms);
  clock.now += 250ms;
  CHECK(budget.next_delay(true) == 300ms);
  clock.now += 350ms;
  CHECK(budget.attempts() == 4);
  CHECK_FALSE(budget.next_delay(true)); // 4 attempts made
  CHECK(budget.attempts_note() == " (4 attempts over 0.8s)");
}

TEST_CASE("a failure that is not retryable ends at once") {
  FakeClock clock;
  RetryBudget budget(small_policy(), clock.source());
  CHECK_FALSE(budget.next_delay(false));
  CHECK(budget.attempts() == 1);
  CHECK(budget.attempts_note().empty());
}

TEST_CASE("no attempt starts past the time budget") {
  FakeClock clock;
  RetryBudget budget(small_policy(), clock.source());
  clock.now += 950ms; // the first attempt hung for most of the budget
  CHECK_FALSE(budget.next_delay(true));
  CHECK(budget.attempts() == 1);
}

TEST_CASE("Ctrl-C stops the retries") {
  FakeClock clock;
  RetryBudget budget(small_policy(), clock.source());
  const std::atomic<bool> cancel{true};
  CHECK_FALSE(budget.next_delay(true, &cancel));
}

TEST_CASE("sleeping ends early when cancelled") {
  const std::atomic<bool> cancel{true};
  const auto start = std::chrono::steady_clock::now();
  sleep_unless_cancelled(10s, &cancel);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("only get is a retryable kubectl call") {
  CHECK(is_retryable_kubectl_call({"get", "pods", "-A", "-o", "json"}));
  CHECK_FALSE(is_retryable_kubectl_call({"exec", "-n", "a", "b", "--", "x"}));
  CHECK_FALSE(is_retryable_kubectl_call({"patch", "namespace", "a", "-p", "{}"}));
  CHECK_FALSE(is_retryable_kubectl_call({"delete", "secret", "cacerts"}));
  CHECK_FALSE(is_retryable_kubectl_call({"rollout", "status", "deployment/web"}));
  CHECK_FALSE(is_retryable_kubectl_call({}));
}

TEST_CASE("server errors, throttling, timeouts and broken connections are retryable") {
  for (const char* err :
       {"Error from server (InternalError): etcdserver: request timed out\n",
        "Error from server (ServiceUnavailable): the server is currently unable to handle the "
        "request\n",
        "Error from server (TooManyRequests): the server has received too many requests\n",
        "Error from server (Timeout): the server was unable to return a response in the time "
        "allotted\n",
        "Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded "
        "while awaiting headers)\n",
        "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host "
        "or port?\n",
        "Unable to connect to the server: dial tcp 10.0.0.1:443: connect: connection refused\n",
        "Unable to connect to the server: read tcp 1.2.3.4:5->6.7.8.9:443: read: connection reset "
        "by peer\n",
        "Unable to connect to the server: EOF\n",
        "error: client rate limiter Wait returned an error: context deadline exceeded - error from "
        "a previous attempt: EOF\n",
        "Error from server: an error on the server (\"\") has prevented the request from "
        "succeeding\n"}) {
    CAPTURE(err);
    CHECK(is_retryable_kubectl_failure(failed_with(err)));
  }
  ProcessOutput hung;
  hung.timed_out = true;
  hung.exit_code = 137;
  hung.term_signal = 9;
  CHECK(is_retryable_kubectl_failure(hung));
}

TEST_CASE("a 4xx answer, a kill and unknown failures are not retryable") {
  for (const char* err : {"Error from server (NotFound): pods \"timeout\" not found\n",
                          "Error from server (Forbidden): pods is forbidden: User \"x\" cannot "
                          "list resource \"pods\"\n",
                          "Error from server (Unauthorized): the server has asked for the client "
                          "to provide credentials\n",
                          "Error from server (BadRequest): the server rejected our request "
                          "(connection refused in name)\n",
                          "Error from server (Invalid): Namespace \"A\" is invalid\n",
                          "error: You must be logged in to the server (Unauthorized)\n",
                          "error: the server doesn't have a resource type \"widgets\"\n", ""}) {
    CAPTURE(err);
    CHECK_FALSE(is_retryable_kubectl_failure(failed_with(err)));
  }
  ProcessOutput killed;
  killed.exit_code = 137;
  killed.term_signal = 9;
  CHECK_FALSE(is_retryable_kubectl_failure(killed));
  ProcessOutput fine;
  fine.exit_code = 0;
  CHECK_FALSE(is_retryable_kubectl_failure(fine));
}

TEST_CASE("HTTP 429 and 5xx are retryable, other statuses are not") {
  for (int status : {429, 500, 502, 503, 504, 599})
    CHECK(is_retryable_http_status(status));
  for (int status : {200, 201, 301, 400, 401, 403, 404, 409, 410, 422, 600})
    CHECK_FALSE(is_retryable_http_status(status));
}

} // namespace meshca

namespace meshca {

namespace {

RetryPolicy instant_policy() {
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.first_delay = std::chrono::milliseconds(0);
  return policy;
}

// Fails `failures` times with `err`, then succeeds.
testing::RecordingKubectl::Handler flaky(int failures, std::string err) {
  auto left = std::make_shared<std::atomic<int>>(failures);
  return [left, err](const testing::RecordedCall&) -> Result<ProcessOutput> {
    ProcessOutput output;
    output.exit_code = left->fetch_sub(1) > 0 ? 1 : 0;
    if (output.exit_code != 0)
      output.err = err;
    else
      output.out = "{}";
    return output;
  };
}

} // namespace

TEST_CASE("a get that fails twice with 503 succeeds on the third attempt") {
  testing::RecordingKubectl kubectl;
  kubectl.on({"get"}, flaky(2, "Error from server (ServiceUnavailable): try later\n"));
  std::string note;
  auto output =
      run_with_retries(kubectl, {"get", "pods", "-o", "json"}, instant_policy(), {}, {}, &note);
  REQUIRE(output.ok());
  CHECK(output->succeeded());
  CHECK(kubectl.calls().size() == 3);
  CHECK(note.find(" (3 attempts over ") == 0);
}

TEST_CASE("a get that keeps failing gives the last failure and the attempts") {
  testing::RecordingKubectl kubectl;
  kubectl.on({"get"}, flaky(10, "Error from server (InternalError): etcd is sad\n"));
  std::string note;
  auto output = run_with_retries(kubectl, {"get", "pods"}, instant_policy(), {}, {}, &note);
  REQUIRE(output.ok());
  CHECK_FALSE(output->succeeded());
  CHECK(kubectl.calls().size() == 3);
  CHECK(note.find(" (3 attempts") == 0);
}

TEST_CASE("NotFound, Forbidden and writes are made once") {
  testing::RecordingKubectl kubectl;
  kubectl.on_not_found({"get", "secret"}, "secrets \"cacerts\"");
  kubectl.on_failure({"get", "pods"}, "Error from server (Forbidden): pods is forbidden\n");
  kubectl.on_failure({"delete"}, "Error from server (InternalError): etcd is sad\n");
  for (const std::vector<std::string>& args : {std::vector<std::string>{"get", "secret", "cacerts"},
                                               std::vector<std::string>{"get", "pods"},
                                               std::vector<std::string>{"delete", "secret", "x"}}) {
    auto output = run_with_retries(kubectl, args, instant_policy());
    REQUIRE(output.ok());
    CHECK_FALSE(output->succeeded());
  }
  CHECK(kubectl.calls().size() == 3);
}

TEST_CASE("run_checked names what could not be read and the attempts") {
  testing::RecordingKubectl kubectl;
  kubectl.on({"get"}, flaky(10, "Error from server (InternalError): etcd is sad\n"));
  // The default policy with real waits: keep this to one case.
  auto output = run_checked(kubectl, {"get", "pods", "-A"}, "listing pods");
  REQUIRE_FALSE(output.ok());
  CHECK(output.error().status == ExitStatus::cluster_error);
  const std::string& message = output.error().message;
  CHECK(message.find(
            "listing pods: Error from server (InternalError): etcd is sad (kubectl get pods -A)") ==
        0);
  CHECK(message.find(" attempts over ") != std::string::npos);
  CHECK(kubectl.calls().size() ==
        static_cast<std::size_t>(default_read_retry_policy().max_attempts));
}

} // namespace meshca
