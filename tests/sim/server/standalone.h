#pragma once
// What the simulator does when it runs without a scenario (only --seed-json objects): exec
// answers from a few built-in commands, and a controller that moves workload statuses to
// "rolled out" after each spec change, so `kubectl rollout status` finishes.

#include "server/exec.h"
#include "server/store.h"

#include <memory>
#include <string>

namespace sim {

// Built-in commands:
//   echo ARGS...                    ARGS joined by spaces, plus a newline, on stdout
//   exit N                          exit code N (and "exit N" on stderr when N != 0)
//   bytes N                         N bytes of 'x' on stdout
//   pilot-agent request GET PATH    the pod's annotation sim.meshca.io/config-dump, else
//   {"configs":[]}
// Anything else exits 127 with `sh: CMD: not found` on stderr.
ExecResult standalone_exec(const Store& store, const ExecRequest& request);

// Sets status (observedGeneration, replicas, updated/ready/available counts, revisions) of
// Deployments, StatefulSets and DaemonSets `delay_ms` after their generation changes. A stuck
// workload gets observedGeneration but never its updated replicas.
class RolloutStatusController {
 public:
  RolloutStatusController(Store& store, int delay_ms);
  ~RolloutStatusController();
  RolloutStatusController(const RolloutStatusController&) = delete;
  RolloutStatusController& operator=(const RolloutStatusController&) = delete;

  void start(); // observes the store and settles every existing workload
  void stop();
  void set_stuck(const std::string& ns, const std::string& name, bool stuck);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace sim
