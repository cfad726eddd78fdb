#pragma once
// `kubectl meshca report`'s page: one self-contained HTML document (no script, nothing loaded
// from anywhere, light and dark, printable on A4) that shows a change ticket where the Istio CA to
// Mesh CA migration stands, drawn from the model alone.

#include "meshca/composite/report/report_model.h"

#include <string>

namespace meshca {

// The page for `report`. `now` is "today" on the expiry timeline and decides which certificates
// are flagged expired or within report.expiry_warning. Every string from the model is escaped;
// per-pod detail (report.pods) is left to the JSON document.
std::string render_report_html(const MigrationReport& report, ReportTime now);

} // namespace meshca
