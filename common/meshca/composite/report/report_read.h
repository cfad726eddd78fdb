#pragma once
// The report's one read of the mesh: every --context's status, preflight, migration plan and
// ledger, every sidecar (check-root --workload-cert --trust-domain --mtls over all namespaces,
// because the verdicts count every sidecar), and traffic with --since or --window.

#include "meshca/composite/report/report_cli.h"
#include "meshca/composite/report/report_model.h"
#include "meshca/util/result.h"

#include <atomic>
#include <iosfwd>
#include <vector>

namespace meshca {

struct ReportReading {
  MigrationReport report;
  // What could not be read (cluster_error): the report is still written and lists them.
  std::vector<Error> errors;
};

// bad_input (nothing read) for a snapshot that is not one, a context without istio-system or a
// named namespace that does not exist; cluster_error when the control plane cannot be read.
Result<ReportReading> read_report(const ReportCommandLine& command, std::ostream& notes,
                                  const std::atomic<bool>* cancel);

// Section 7: the commands that reproduce each figure, for these contexts and this scope.
std::vector<ReportCommand> report_commands(const MigrationReport& report,
                                           const ReportOptions& options);

} // namespace meshca
