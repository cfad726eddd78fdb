#include "meshca/kube/retry.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <thread>

namespace meshca {
namespace {

bool contains_any(std::string_view text, const auto& parts) {
  return std::any_of(std::begin(parts), std::end(parts), [&](std::string_view part) {
    return text.find(part) != std::string_view::npos;
  });
}

// kubectl's "Error from server (Reason)" for answers that are final: the request was understood
// and refused, or the object is not there. Checked first, so an object named "timeout" in a
// NotFound message is not taken for a timeout.
constexpr auto kFinalAnswers = std::to_array<std::string_view>(
    {"(NotFound)", "(Forbidden)", "(Unauthorized)", "(BadRequest)", "(Invalid)", "(Conflict)",
     "(AlreadyExists)", "(MethodNotAllowed)", "(Gone)", "(Expired)", "(NotAcceptable)",
     "(UnsupportedMediaType)", "(RequestEntityTooLarge)", "You must be logged in to the server"});

// kubectl's wording (client-go's status reasons and Go's net errors) for failures another
// attempt may cure.
constexpr auto kTransient = std::to_array<std::string_view>(
    {// 5xx and 429 answers (reasons, and client-go's text for answers without a Status body)
     "(InternalError)", "(ServiceUnavailable)", "(Timeout)", "(ServerTimeout)", "(TooManyRequests)",
     "an error on the server", "the server is currently unable to handle the request",
     "the server was unable to return a response in the time allotted",
     "the server has received too many requests",
     // the connection
     "connection refused", "was refused - did you specify the right host or port",
     "connection reset by peer", "broken pipe", "unexpected EOF", ": EOF",
     "http2: client connection lost", "server closed idle connection",
     // time
     "i/o timeout", "context deadline exceeded", "Client.Timeout exceeded", "TLS handshake timeout",
     "request canceled"});

} // namespace

const RetryPolicy& default_read_retry_policy() {
  static const RetryPolicy policy;
  return policy;
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry) {
  std::chrono::milliseconds delay = policy.first_delay;
  for (int i = 1; i < retry && delay < policy.max_delay; ++i)
    delay *= 2;
  return std::min(delay, policy.max_delay);
}

RetryBudget::RetryBudget(const RetryPolicy& policy, Now now)
    : policy_(policy), now_(std::move(now)), start_(now_()) {}

std::optional<std::chrono::milliseconds> RetryBudget::next_delay(bool retryable,
                                                                 const std::atomic<bool>* cancel) {
  if (!retryable || attempts_ >= policy_.max_attempts)
    return std::nullopt;
  if (cancel != nullptr && cancel->load())
    return std::nullopt;
  const std::chrono::milliseconds delay = backoff_delay(policy_, attempts_);
  if (now_() + delay - start_ > policy_.budget)
    return std::nullopt;
  ++attempts_;
  return delay;
}

std::string RetryBudget::attempts_note() const {
  if (attempts_ <= 1)
    return {};
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now_() - start_);
  const long long tenths = (elapsed.count() + 50) / 100;
  return " (" + std::to_string(attempts_) + " attempts over " + std::to_string(tenths / 10) + "." +
         std::to_string(tenths % 10) + "s)";
}

void sleep_unless_cancelled(std::chrono::milliseconds delay, const std::atomic<bool>* cancel) {
  constexpr std::chrono::milliseconds kSlice{50};
  const auto end = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < end) {
    if (cancel != nullptr && cancel->load())
      return;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        kSlice, end - std::chrono::steady_clock::now()));
  }
}

bool is_retryable_kubectl_call(const std::vector<std::string>& args) {
  return !args.empty() && args.front() == "get";
}

bool is_retryable_kubectl_failure(const ProcessOutput& output) {
  if (output.succeeded())
    return false;
  if (output.timed_out)
    return true; // our own deadline: the call hung
  if (output.term_signal != 0)
    return false; // killed (Ctrl-C): not a cluster problem
  if (output.attempts_made)
    return false;
  if (contains_any(output.err, kFinalAnswers))
    return false;
  return contains_any(output.err, kTransient);
}

bool is_retryable_http_status(int status) {
  return status == 429 || (status >= 500 && status <= 599);
}

} // namespace meshca
