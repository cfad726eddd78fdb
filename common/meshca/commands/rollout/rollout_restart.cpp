#include "meshca/commands/rollout/rollout_restart.h"

#include "meshca/commands/rollout/rollout.h"
#include "meshca/util/interrupt.h"
#include "meshca/util/progress.h"
#include "meshca/util/worker_pool.h"

namespace meshca {
namespace {

// How much longer than --timeout kubectl may take before it is stopped: start-up and the
// first list; kubectl ends the watch itself at --timeout.
constexpr std::chrono::seconds kProcessGrace{30};

std::string what(const Workload& w) {
  return w.ref() + " in namespace " + w.ns;
}

// One workload; the error when it failed for a reason other than its rollout's time running out.
std::optional<Error> restart_one(KubectlRunner& kubectl, WorkloadRollout& rollout,
                                 const RestartSettings& settings) {
  const Workload& w = rollout.planned.workload;
  if (settings.dry_run == DryRun::client) {
    rollout.state = RolloutState::planned;
    return std::nullopt;
  }
  auto restarted =
      run_checked(kubectl, restart_patch_args(w.object(), settings.dry_run, settings.restarted_at),
                  "restarting " + what(w));
  if (!restarted) {
    rollout.state = RolloutState::failed;
    rollout.message = restarted.error().message;
    return restarted.error();
  }
  if (settings.dry_run == DryRun::server) {
    rollout.state = RolloutState::planned;
    return std::nullopt;
  }
  if (!settings.wait) {
    rollout.state = RolloutState::restarted;
    return std::nullopt;
  }
  const auto args = rollout_status_args(w.object(), settings.timeout);
  auto status = kubectl.run(args, std::nullopt, settings.timeout + kProcessGrace);
  if (!status && interrupt_flag().load()) {
    // Ctrl-C came between the restart and its wait, so the wait never started: the restart
    // was still sent, and is reported as such.
    rollout.state = RolloutState::restarted;
    rollout.message = "the wait was interrupted (Ctrl-C)";
    return std::nullopt;
  }
  if (!status) {
    rollout.state = RolloutState::failed;
    rollout.message = status.error().message;
    return status.error();
  }
  if (status->succeeded()) {
    rollout.state = RolloutState::complete;
    return std::nullopt;
  }
  if (status->term_signal != 0 && interrupt_flag().load()) {
    rollout.state = RolloutState::restarted; // the restart was sent; Ctrl-C ended the wait
    rollout.message = "the wait was interrupted (Ctrl-C)";
    return std::nullopt;
  }
  rollout.message = trim_kubectl_stderr(status->err);
  if (is_rollout_timeout(*status)) {
    rollout.state = RolloutState::timed_out;
    return std::nullopt;
  }
  rollout.state = RolloutState::failed;
  return kubectl_failure(*status, args, "waiting for the rollout of " + what(w));
}

} // namespace

bool is_rollout_timeout(const ProcessOutput& output) {
  return output.timed_out ||
         output.err.find("timed out waiting for the condition") != std::string::npos ||
         output.err.find("exceeded its progress deadline") != std::string::npos;
}

std::vector<Error> restart_workloads(KubectlRunner& kubectl,
                                     std::vector<WorkloadRollout*>& rollouts,
                                     const RestartSettings& settings,
                                     const std::atomic<bool>* cancel) {
  std::vector<WorkloadRollout*> work;
  for (WorkloadRollout* rollout : rollouts) {
    if (rollout->planned.action == WorkloadAction::restart) {
      rollout->state = RolloutState::not_started;
      work.push_back(rollout);
    } else {
      rollout->state = RolloutState::skipped;
    }
  }
  const char* label = settings.dry_run != DryRun::none ? "checking restarts"
                      : settings.wait                  ? "restarting and waiting"
                                                       : "restarting";
  ProgressLine progress(label, work.size());
  std::vector<std::optional<Error>> failures(work.size());
  parallel_for(
      work.size(), settings.parallel,
      [&](std::size_t i) {
        failures[i] = restart_one(kubectl, *work[i], settings);
        const bool bad = failures[i] || work[i]->state == RolloutState::timed_out;
        progress.advance(bad ? Outcome::failed : Outcome::ok);
      },
      cancel);
  progress.finish();
  std::vector<Error> errors;
  for (auto& failure : failures)
    if (failure)
      errors.push_back(std::move(*failure));
  return errors;
}

} // namespace meshca
