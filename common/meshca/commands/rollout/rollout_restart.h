#pragma once
// Restarting and waiting for workloads, `parallel` at a time, with a progress line on a
// terminal. Part of rollout (see rollout.h).

#include "meshca/commands/rollout/rollout_proof.h"
#include "meshca/kube/dry_run.h"
#include "meshca/kube/kubectl.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct RestartSettings {
  DryRun dry_run = DryRun::none;
  bool wait = true;
  std::chrono::seconds timeout{300};
  std::size_t parallel = 4;
  std::string restarted_at; // the restartedAt value every workload gets (one per run)
};

// Sets each rollout's state: skipped ones are left alone; with a client dry run nothing is sent
// (planned); with a server dry run the restart is sent with dryRun (planned); else each is
// restarted (restart_patch_args) and, when waiting, watched until its rollout finishes or
// `timeout` passes. Returns the cluster errors (a restart or a wait that failed other than by
// timing out).
std::vector<Error> restart_workloads(KubectlRunner& kubectl,
                                     std::vector<WorkloadRollout*>& rollouts,
                                     const RestartSettings& settings,
                                     const std::atomic<bool>* cancel);

// True when `kubectl rollout status` failed because the rollout did not finish in time
// ("timed out waiting for the condition", "exceeded its progress deadline").
bool is_rollout_timeout(const ProcessOutput& output);

} // namespace meshca
