#pragma once
// Fault switches: set from flags at start (as JSON) and at runtime through POST /simctl/faults.
// The JSON form (every key optional; a key present replaces that whole category):
//   {"exec_latency_ms": 50,
//    "exec_errors": [{"pod": "ns/name", "exit_code": 1, "stderr": "boom"}],
//    "exec_hang": ["ns/name"],
//    "exec_cut": [{"pod": "ns/name", "after_bytes": 4096}],
//    "api_errors": [{"verb": "patch", "resource": "namespaces", "status": 500, "count": 2,
//                    "name": "", "namespace": "", "message": ""}],
//    "drops": [{"verb": "get", "resource": "pods", "count": 1}],
//    "slow": [{"verb": "*", "resource": "*", "ms": 200}],
//    "stuck_rollouts": [{"namespace": "ns", "name": "deploy", "stuck": true}]}
// verb is the Kubernetes verb (get, list, watch, create, update, patch, delete,
// deletecollection) or "exec"; resource is a plural, "plural/subresource" or "*".
// count 0 (the default) means every matching request; otherwise the first `count` only.

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sim {

// What a request is, for fault matching.
struct RequestKey {
  std::string verb, resource, subresource, ns, name;
};

struct ApiFault {
  int status = 500;
  std::string message;
};

struct ExecFault {
  int exit_code = 1;
  std::string stderr_text;
};

using StuckRolloutHandler =
    std::function<void(const std::string& ns, const std::string& name, bool stuck)>;

class Faults {
 public:
  // Applies a JSON fault document; returns an error message when it is malformed (nothing is
  // changed then).
  std::optional<std::string> apply_json(const std::string& json);
  void clear();
  std::string to_json() const;
  void set_stuck_rollout_handler(StuckRolloutHandler handler);

  // Each consumes one use of a counted rule when it matches.
  std::optional<ApiFault> take_api_error(const RequestKey& key);
  bool take_drop(const RequestKey& key);
  int slow_ms(const RequestKey& key) const;

  int exec_latency_ms() const;
  std::optional<ExecFault> exec_error(const std::string& ns, const std::string& pod) const;
  bool exec_hangs(const std::string& ns, const std::string& pod) const;
  // exec_cut: how much of the pod's stdout goes out before the connection closes without an
  // exit status (a connection lost mid-answer); a shorter answer goes out whole, as normal.
  // nullopt for a pod whose execs are not cut.
  std::optional<std::size_t> exec_cut_after(const std::string& ns, const std::string& pod) const;

 private:
  struct Rule {
    std::string verb = "*", resource = "*", ns, name;
    int count = 0; // 0: unlimited
    int used = 0;
    int status = 500;
    int ms = 0;
    std::string message;
    bool matches(const RequestKey& key) const;
  };
  struct PodRule {
    std::string pod; // "ns/name" or "name"
    int exit_code = 1;
    std::string stderr_text;
    int after_bytes = 0; // exec_cut: the stdout bytes sent before the connection is cut
    bool matches(const std::string& ns, const std::string& pod_name) const;
  };
  struct Stuck {
    std::string ns, name;
    bool stuck = true;
  };

  static std::optional<Rule*> consume(std::vector<Rule>& rules, const RequestKey& key);

  mutable std::mutex mu_;
  int exec_latency_ms_ = 0;
  std::vector<PodRule> exec_errors_, exec_hang_, exec_cut_;
  std::vector<Rule> api_errors_, drops_, slow_;
  std::vector<Stuck> stuck_;
  StuckRolloutHandler stuck_handler_;
};

} // namespace sim
