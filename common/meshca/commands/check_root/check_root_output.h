#pragma once
// How check-root prints a result: migrate_ca's lines (text), a table (wide), or a document
// (json/yaml; field names in README "check-root JSON").

#include "meshca/checks/check_root.h"

#include <iosfwd>
#include <string>

namespace meshca {

// The data for stdout in the chosen format, written as it is made (json and yaml a pod at a time).
void write_check_root(const CheckRootResult& result, const CheckRootOptions& options,
                      std::ostream& out);
// The same, as one string (migrate's gate, tests).
std::string render_check_root(const CheckRootResult& result, const CheckRootOptions& options);

// The summary lines for stderr in text mode ("412 pods trust [CITADEL MESHCA]; 3 pods trust
// [CITADEL]", skipped and failed counts, and how MESHCA was recognised).
std::string render_summary(const CheckRootResult& result, const CheckRootOptions& options);

// RFC 3339 UTC, "2031-04-25T21:11:33Z".
std::string format_time(x509::TimePoint time);

} // namespace meshca
