#pragma once
// The one retry policy for reads from the cluster, whichever transport carries them (kubectl
// processes or the in-process API client): which failures are worth another attempt, how long to
// wait before it, and when to give up.
//
// Only idempotent reads are retried (a GET, a list): a write that failed may have been applied,
// and a second one could apply it twice. Only failures that another attempt may cure are retried:
// a 5xx, 429, a timeout, a connection refused, reset or dropped. A 4xx (NotFound, Forbidden,
// Invalid) is the cluster's answer and is returned at once.

#include "meshca/util/process.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

struct RetryPolicy {
  // Three attempts, 0.4 s and 0.8 s apart: enough to ride out an API server restart's blip or a
  // dropped connection, short enough that a real outage is reported within seconds.
  int max_attempts = 3; // the first attempt included
  std::chrono::milliseconds first_delay{400};
  std::chrono::milliseconds max_delay{2000};
  // No attempt starts later than this after the first one started (the wait before it included),
  // so a read that keeps failing gives up within about budget + one attempt's own timeout.
  std::chrono::milliseconds budget{15000};
};

// The policy every read uses.
const RetryPolicy& default_read_retry_policy();

// The wait before retry number `retry` (1 for the second attempt): first_delay doubled each
// time, at most max_delay.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry);

// Counts the attempts of one read and says whether another may start. The clock is injected so
// tests need not wait; production uses the steady clock.
class RetryBudget {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  explicit RetryBudget(const RetryPolicy& policy, Now now = Clock::now);

  // After a failed attempt: the time to wait before the next one, or nullopt when the failure is
  // not retryable, the attempts are used up, the wait would end past the budget, or `cancel` is
  // set (Ctrl-C). Counts the next attempt when it returns a delay.
  std::optional<std::chrono::milliseconds> next_delay(bool retryable,
                                                      const std::atomic<bool>* cancel = nullptr);

  int attempts() const { return attempts_; }

  // " (3 attempts over 1.8s)" when more than one attempt was made, else "": for error messages.
  std::string attempts_note() const;

 private:
  RetryPolicy policy_;
  Now now_;
  Clock::time_point start_;
  int attempts_ = 1;
};

// Sleeps `delay`, waking early when `cancel` becomes true (checked every 50 ms).
void sleep_unless_cancelled(std::chrono::milliseconds delay, const std::atomic<bool>* cancel);

// True for kubectl arguments that only read and may be repeated: `get` (the verb is the first
// argument; the runner adds the connection flags before it). Never `exec`, `rollout status` or
// a write.
bool is_retryable_kubectl_call(const std::vector<std::string>& args);

// True when a kubectl call that ran and failed failed in a way another attempt may cure: our own
// timeout, or kubectl's message for a 5xx/429/timeout answer or a connection refused, reset or
// dropped. False for a 4xx answer (NotFound, Forbidden, Unauthorized, Invalid, BadRequest...)
// and for anything not recognised, or an answer whose transport already made its attempts.
bool is_retryable_kubectl_failure(const ProcessOutput& output);

// True for HTTP statuses worth another attempt of a read: 429 and every 5xx.
bool is_retryable_http_status(int status);

} // namespace meshca
