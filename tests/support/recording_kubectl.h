#pragma once
// A KubectlRunner for unit tests: answers from a script keyed by argument prefix and records
// every call, so a test asserts on what a command did (and did not do) to the cluster.

#include "meshca/kube/kubectl.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace meshca::testing {

struct RecordedCall {
  std::vector<std::string> args;
  std::optional<std::string> input;
  std::chrono::milliseconds timeout{0};

  // The call as one line, "get pods -A -o json", for messages and simple assertions.
  std::string line() const {
    std::string joined;
    for (const auto& arg : args)
      joined += (joined.empty() ? "" : " ") + arg;
    return joined;
  }
};

class RecordingKubectl final : public KubectlRunner {
 public:
  using Handler = std::function<Result<ProcessOutput>(const RecordedCall&)>;

  // Calls whose arguments start with `prefix` get `handler`'s answer. The longest matching
  // prefix wins; among equal ones the rule added last (so a test can override a default).
  RecordingKubectl& on(std::vector<std::string> prefix, Handler handler) {
    const std::lock_guard lock(mutex_);
    rules_.push_back({std::move(prefix), std::move(handler)});
    return *this;
  }
  RecordingKubectl& on(std::vector<std::string> prefix, ProcessOutput output) {
    return on(std::move(prefix), [output](const RecordedCall&) { return output; });
  }
  // Exit 0 with `out` on stdout.
  RecordingKubectl& on_success(std::vector<std::string> prefix, std::string out = {}) {
    ProcessOutput output;
    output.exit_code = 0;
    output.out = std::move(out);
    return on(std::move(prefix), std::move(output));
  }
  // A failing kubectl: `err` on stderr, the given exit code.
  RecordingKubectl& on_failure(std::vector<std::string> prefix, std::string err,
                               int exit_code = 1) {
    ProcessOutput output;
    output.exit_code = exit_code;
    output.err = std::move(err);
    return on(std::move(prefix), std::move(output));
  }
  // kubectl's answer for a missing object.
  RecordingKubectl& on_not_found(std::vector<std::string> prefix, const std::string& what) {
    return on_failure(std::move(prefix), "Error from server (NotFound): " + what + " not found\n");
  }

  // Answers from the script; an unscripted call fails like kubectl would (exit 1) and says so
  // on stderr, so a test sees it in the error message.
  Result<ProcessOutput> run(const std::vector<std::string>& args,
                            std::optional<std::string> input = {},
                            std::chrono::milliseconds timeout = {}) override {
    RecordedCall call{args, std::move(input), timeout};
    Handler handler;
    {
      const std::lock_guard lock(mutex_);
      calls_.push_back(call);
      handler = find_rule(args);
    }
    if (!handler) {
      ProcessOutput output;
      output.exit_code = 1;
      output.err = "error: no scripted response for: kubectl " + call.line() + "\n";
      return output;
    }
    return handler(call);
  }

  std::vector<RecordedCall> calls() const {
    const std::lock_guard lock(mutex_);
    return calls_;
  }
  // The calls whose arguments start with `prefix`, in order.
  std::vector<RecordedCall> calls_with(const std::vector<std::string>& prefix) const {
    const std::lock_guard lock(mutex_);
    std::vector<RecordedCall> matching;
    for (const auto& call : calls_) {
      if (starts_with(call.args, prefix))
        matching.push_back(call);
    }
    return matching;
  }
  std::size_t count(const std::vector<std::string>& prefix) const {
    return calls_with(prefix).size();
  }
  bool called(const std::vector<std::string>& prefix) const { return count(prefix) > 0; }
  void clear_calls() {
    const std::lock_guard lock(mutex_);
    calls_.clear();
  }

  static bool starts_with(const std::vector<std::string>& args,
                          const std::vector<std::string>& prefix) {
    return prefix.size() <= args.size() && std::equal(prefix.begin(), prefix.end(), args.begin());
  }

 private:
  struct Rule {
    std::vector<std::string> prefix;
    Handler handler;
  };

  Handler find_rule(const std::vector<std::string>& args) const {
    const Rule* best = nullptr;
    for (const auto& rule : rules_) {
      if (starts_with(args, rule.prefix) &&
          (best == nullptr || rule.prefix.size() >= best->prefix.size()))
        best = &rule;
    }
    return best == nullptr ? Handler() : best->handler;
  }

  mutable std::mutex mutex_;
  std::vector<Rule> rules_;
  std::vector<RecordedCall> calls_;
};

} // namespace meshca::testing
