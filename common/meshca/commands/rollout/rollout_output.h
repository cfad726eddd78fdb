#pragma once
// rollout's report: text (per namespace, its workloads and pods; then what did not move, with
// the action that moves it) and json (field names documented in docs/rollout.md). Pure.

#include "meshca/commands/rollout/rollout.h"

#include <string>

namespace meshca {

// stdout for the report; text or json.
std::string render_rollout(const RolloutReport& report, OutputFormat format);

// "restarted, rollout complete", "skipped: paused Deployment", "would restart (dry run)", ...
// `revision`: the scope's, named by "already on REV".
std::string describe_state(const WorkloadRollout& rollout, DryRun dry_run,
                           const std::string& revision = "the revision");

// "Deployment" -> "deployment/NAME" as kubectl names objects; a bare pod is "pod/NAME".
std::string owner_ref(const NotMoved& not_moved);

} // namespace meshca
