#pragma once
// migrate's command line: `kubectl meshca migrate plan|apply|status|rollback`. Pure; tested as an
// argv table.

#include "meshca/cli/common_options.h"
#include "meshca/composite/migrate/migrate_apply.h"
#include "meshca/mesh/dump_fetcher.h"
#include "meshca/util/output_format.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

enum class MigrateAction { plan, apply, status, rollback };

struct MigrateCommand {
  CommonOptions common;
  MigrateAction action = MigrateAction::plan;
  OutputFormat output = OutputFormat::text; // plan and status: text, json, yaml
  std::optional<std::string> meshca_bundle;
  Transport transport = Transport::automatic;
  ApplyOptions apply;
};

Result<MigrateCommand> parse_migrate(const std::vector<std::string>& args);

void print_migrate_help(std::ostream& out);

boost::program_options::options_description migrate_flags();

} // namespace meshca
