#pragma once
// --dry-run with kubectl's values. A bare `--dry-run` means client, as it does for kubectl; bind
// the flag with po::value<std::string>()->implicit_value("client").

#include "meshca/util/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// none: change the cluster. client: send no change at all, print what would change.
// server: send each change with dryRun=All (the API server validates it and stores nothing).
enum class DryRun { none, client, server };

// "none", "client" or "server"; "" (a bare --dry-run) is client. Anything else is bad_input
// listing the valid values: `--dry-run "yes": valid values are none, client, server`.
Result<DryRun> parse_dry_run(std::string_view value);

// The kubectl flag for a mutating call: {} | {"--dry-run=client"} | {"--dry-run=server"}.
std::vector<std::string> dry_run_args(DryRun dry_run);

// "none", "client", "server".
std::string_view to_string(DryRun dry_run);

// What a report line says after the change: "", " (dry run)", " (server dry run)", as kubectl
// prints it.
std::string_view dry_run_suffix(DryRun dry_run);

} // namespace meshca
