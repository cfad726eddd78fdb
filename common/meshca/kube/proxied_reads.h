#pragma once
// A KubectlRunner that serves kubectl's plain reads (kubectl_read_call.h: `get` of a known type
// as JSON or names, `get --raw`) as HTTP requests through a kubectl proxy already running, and
// hands every other call to kubectl. A command that reads the same lists again and again (migrate
// re-reads every cluster after each step, a dozen lists each) then starts no kubectl process per
// read: each costs 100-300 ms of CPU and wall time, an HTTP request a few milliseconds.
//
// Callers see what kubectl would have given: the same standard output, exit status and error
// wording ("Error from server (NotFound): ..."), so is_not_found, the retry rule and the
// messages work unchanged. The client retries a read that failed for a passing reason itself
// (kube/retry.h); its final answer is marked so that run_with_retries does not repeat it. The
// run's read memo (kube/read_memo.h) is shared with kubectl's calls: keyed by the command line
// kubectl would have run, it answers the same list from either path, and a write through kubectl
// ends it.

#include "meshca/kube/api_client.h"
#include "meshca/kube/kubectl.h"
#include "meshca/kube/kubectl_read_call.h"

namespace meshca {

class ProxiedReads final : public KubectlRunner {
 public:
  // Both must outlive this runner. `timeout` bounds each request of a call without its own.
  ProxiedReads(Kubectl& kubectl, ApiClient& api,
               std::chrono::milliseconds timeout = std::chrono::seconds(60))
      : kubectl_(kubectl), api_(api), timeout_(timeout) {}

  Result<ProcessOutput> run(const std::vector<std::string>& args,
                            std::optional<std::string> input = {},
                            std::chrono::milliseconds timeout = {}) override;

 private:
  Result<ProcessOutput> read(const ReadCall& call, std::chrono::milliseconds timeout);

  Kubectl& kubectl_;
  ApiClient& api_;
  std::chrono::milliseconds timeout_;
};

} // namespace meshca
