#pragma once
// What preflight reports: checks in groups, each passed, a warning, or a failure that blocks the
// step being prepared (round 1, round 2, the secret cleanup, a prune), with the fix under it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

enum class PreflightStep { round1, round2, cleanup, prune };

std::string_view to_string(PreflightStep step); // "round1", "round2", "cleanup", "prune"
std::optional<PreflightStep> parse_preflight_step(std::string_view text);

enum class CheckResult { ok, warning, failure };

std::string_view to_string(CheckResult result); // "ok", "warning", "failure"

struct PreflightCheck {
  CheckResult result = CheckResult::ok;
  std::string object; // what it is about: "revision asm-1", "namespace shop", "webhook X"
  std::string text;   // the finding, one line
  std::string fix;    // for a failure or warning: what to do ("" when nothing)
};

struct PreflightGroup {
  std::string title; // "Control-plane revisions", "Namespaces", ...
  std::vector<PreflightCheck> checks;
};

struct PreflightReport {
  PreflightStep step = PreflightStep::round1;
  std::string step_source; // "--for", or "the next step (status: phase ready-to-relabel)"
  std::string revision;    // the revision the step moves to or prunes ("" when none)
  std::string phase;       // status's phase
  std::vector<PreflightGroup> groups;

  int count(CheckResult result) const;
  bool blocked() const { return count(CheckResult::failure) > 0; }
  // "round1 to asm-mcroot: 2 failures block it, 1 warning" / "round1 to asm-mcroot: ready".
  std::string verdict() const;
};

} // namespace meshca
