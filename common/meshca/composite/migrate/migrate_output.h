#pragma once
// What migrate prints: the plan per cluster (text, or the MigrationPlan document as JSON/YAML),
// and the ledgers (migrate status).

#include "meshca/composite/migrate/migrate_session.h"
#include "meshca/util/output_format.h"

#include <string>

namespace meshca {

std::string render_migration_plan(const MeshReading& reading, OutputFormat format);

std::string render_migration_status(const MeshReading& reading, OutputFormat format);

} // namespace meshca
