#include "meshca/checks/preflight_model.h"

namespace meshca {

std::string_view to_string(PreflightStep step) {
  switch (step) {
  case PreflightStep::round1:
    return "round1";
  case PreflightStep::round2:
    return "round2";
  case PreflightStep::cleanup:
    return "cleanup";
  case PreflightStep::prune:
    return "prune";
  }
  return "round1";
}

std::optional<PreflightStep> parse_preflight_step(std::string_view text) {
  for (PreflightStep step :
       {PreflightStep::round1, PreflightStep::round2, PreflightStep::cleanup, PreflightStep::prune})
    if (text == to_string(step))
      return step;
  return std::nullopt;
}

std::string_view to_string(CheckResult result) {
  switch (result) {
  case CheckResult::ok:
    return "ok";
  case CheckResult::warning:
    return "warning";
  case CheckResult::failure:
    return "failure";
  }
  return "ok";
}

int PreflightReport::count(CheckResult result) const {
  int n = 0;
  for (const PreflightGroup& group : groups)
    for (const PreflightCheck& check : group.checks)
      n += check.result == result ? 1 : 0;
  return n;
}

std::string PreflightReport::verdict() const {
  std::string line(to_string(step));
  if (!revision.empty())
    line += (step == PreflightStep::prune ? " of " : " to ") + revision;
  const int failures = count(CheckResult::failure);
  const int warnings = count(CheckResult::warning);
  auto plural = [](int n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  if (failures > 0)
    line += ": " + plural(failures, "failure") + (failures == 1 ? " blocks" : " block") + " it";
  else
    line += ": ready";
  if (warnings > 0)
    line += ", " + plural(warnings, "warning");
  return line;
}

} // namespace meshca
