#pragma once
// The ids of migrate's steps, in the order the guide runs them: what --until takes, what the
// ledger records and what completion offers. Kept apart from the planning so the command line
// (and the fuzzers that parse it) need nothing else.

#include <string>
#include <vector>

namespace meshca {

const std::vector<std::string>& migration_step_ids();

} // namespace meshca
