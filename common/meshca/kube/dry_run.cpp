#include "meshca/kube/dry_run.h"

namespace meshca {

Result<DryRun> parse_dry_run(std::string_view value) {
  if (value.empty() || value == "client")
    return DryRun::client;
  if (value == "none")
    return DryRun::none;
  if (value == "server")
    return DryRun::server;
  return bad_input("--dry-run \"" + std::string(value) +
                   "\": valid values are none, client, server (a bare --dry-run means client)");
}

std::vector<std::string> dry_run_args(DryRun dry_run) {
  switch (dry_run) {
  case DryRun::client:
    return {"--dry-run=client"};
  case DryRun::server:
    return {"--dry-run=server"};
  case DryRun::none:
    break;
  }
  return {};
}

std::string_view to_string(DryRun dry_run) {
  switch (dry_run) {
  case DryRun::client:
    return "client";
  case DryRun::server:
    return "server";
  case DryRun::none:
    break;
  }
  return "none";
}

std::string_view dry_run_suffix(DryRun dry_run) {
  switch (dry_run) {
  case DryRun::client:
    return " (dry run)";
  case DryRun::server:
    return " (server dry run)";
  case DryRun::none:
    break;
  }
  return "";
}

} // namespace meshca
