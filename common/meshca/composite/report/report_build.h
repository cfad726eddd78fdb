#pragma once
// From one read of the mesh (migrate's reading: status, preflight, the plan, the ledger, and the
// check-root pass with --workload-cert --trust-domain --mtls) to the report's model. Pure: the
// page and the JSON are then drawn from the model alone.

#include "meshca/composite/migrate/migrate_session.h"
#include "meshca/composite/report/report_model.h"

#include <string>
#include <vector>

namespace meshca {

struct ReportScope {
  std::vector<std::string> namespaces; // empty: every namespace
  std::chrono::hours expiry_warning{60 * 24};
};

// How many of the earliest-expiring workload certificates the timeline shows (one per SPIFFE
// ID); the JSON's pods carry every one.
inline constexpr std::size_t kReportWorkloadCertificates = 8;

// Sections 1 to 4 and 6 (traffic and the commands are added by the caller). `read_at`: when the
// clusters were read.
MigrationReport build_report(const MeshReading& reading, const ReportScope& scope,
                             ReportTime read_at);

// "[CITADEL MESHCA]" for a pod's trust set, the class of its certificate's issuer ("MESHCA",
// "unknown" when no root of its own verifies it, "none" when it was not read).
std::string report_issuer(const PodReport& pod);

} // namespace meshca
