#include "meshca/composite/migrate/migrate_step_ids.h"

namespace meshca {

const std::vector<std::string>& migration_step_ids() {
  static const std::vector<std::string> ids = {
      "install-round1", "preflight-round1", "relabel-round1",  "rollout-round1", "gateways-round1",
      "verify-round1",  "tags-round1",      "prune-round1",    "install-round2", "preflight-round2",
      "relabel-round2", "rollout-round2",   "gateways-round2", "verify-round2",  "tags-round2",
      "prune-round2",   "cleanup-secrets",  "restart-final",   "verify-final"};
  return ids;
}

} // namespace meshca
