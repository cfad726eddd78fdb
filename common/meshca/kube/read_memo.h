#pragma once
// A one-shot command reads some control-plane lists twice within a second: for its own plan,
// then again in the trust gate (relabel, rollout, prune-revision) or in another of its checks
// (preflight), each through its own runner (a Kubectl, or ProxiedReads over the run's proxy:
// both key an answer by the kubectl command line). Once the run turns the memo on
// (cli/plugin_runner.h, connect_to_mesh), the first successful answer to such a list on a
// connection also answers the identical calls after it, until the run's first call that may
// change the cluster: from then on every call runs again, for the rest of the run, so a run
// always sees its own changes. One process is one run. An answer from the memo starts no
// kubectl and sends no request, so -v does not print it.

#include "meshca/util/process.h"
#include "meshca/util/result.h"

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace meshca {

class ReadMemo {
 public:
  // Keeps answers from now on (until stop()).
  void enable();
  // Forgets every answer and keeps none again.
  void stop();

  // The answer remembered for the full command line (connection flags included), if any.
  std::optional<ProcessOutput> find(const std::vector<std::string>& command_line) const;
  // Remembers a successful answer while the memo is on; anything else is ignored.
  void remember(const std::vector<std::string>& command_line, const ProcessOutput& output);

  // The remembered answer, else `read()`'s, remembered. A call made while the same read is under
  // way (the snapshot readers run side by side) waits for it and takes its answer when it
  // succeeded. With the memo off, just `read()`.
  Result<ProcessOutput> serve(const std::vector<std::string>& command_line,
                              const std::function<Result<ProcessOutput>()>& read);

 private:
  mutable std::mutex mutex_;
  std::condition_variable settled_; // a read under way ended, or the memo stopped
  bool on_ = false;
  bool stopped_ = false;
  std::map<std::vector<std::string>, ProcessOutput> answers_;
  std::set<std::vector<std::string>> under_way_;
};

// Whether the memo keeps the answer to `args` (kubectl's arguments after the connection flags):
// the lists of the control plane and of namespaces, as JSON (Deployments, MutatingWebhook-
// Configurations, Namespaces, IstioOperators, ConfigMaps), and the CA secrets' roots printed
// without their keys (kubectl_calls.h, ca_secret_roots_args). Pods, any other read of Secrets,
// exec and watches are never kept.
bool memo_keeps(const std::vector<std::string>& args);

// The memo of this process's run (off until a run enables it).
ReadMemo& run_read_memo();

} // namespace meshca
