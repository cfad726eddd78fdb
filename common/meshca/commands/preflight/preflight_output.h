#pragma once
// preflight's output: groups of one line per check, each failure and warning followed by its fix,
// as `linkerd check` prints them; ✔ × ! on a terminal, [ok] [FAIL] [warn] otherwise; -o json|yaml
// is a PreflightReport document.

#include "meshca/checks/preflight_model.h"

#include <string>

namespace meshca {

struct PreflightStyle {
  bool symbols = false; // ✔ × ! instead of [ok] [FAIL] [warn] (a terminal)
  bool color = false;   // green, red, yellow (a terminal without NO_COLOR)
};

std::string render_preflight_text(const PreflightReport& report, PreflightStyle style);
std::string render_preflight_json(const PreflightReport& report);
std::string render_preflight_yaml(const PreflightReport& report);

} // namespace meshca
