#pragma once
// The report as JSON: kind MigrationReport, version 1, the page's data plus every pod. Field
// names are stable (docs/report.md lists them).

#include "meshca/composite/report/report_model.h"

#include <string>

namespace meshca {

std::string render_report_json(const MigrationReport& report);

} // namespace meshca
