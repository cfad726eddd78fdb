#pragma once
// cleanup-secrets' safety check: deleting the Citadel CA is safe only when no sidecar still needs
// it, that is every sidecar trusts MESHCA and holds a certificate Mesh CA issued. Pure: it reads
// a check-root result.

#include "meshca/checks/check_root.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct PreconditionVerdict {
  std::size_t checked = 0;
  // "namespace demo (revision asm-1): 3 sidecars trust [CITADEL]", "... use mTLS certificates
  // issued by [CITADEL]": one line per context, namespace, revision and problem.
  std::vector<std::string> not_ready;
  std::size_t not_ready_sidecars = 0;
  std::vector<std::string> unreadable; // "web-1.demo: <why it could not be read>"

  bool ok() const { return not_ready.empty() && unreadable.empty(); }
};

PreconditionVerdict evaluate_precondition(const CheckRootResult& result);

// The refusal for a verdict that is not ok: check_failed listing the pods that still need
// Citadel, or (when that is all) cluster_error listing the pods that could not be read; at most
// `limit` pods are named, then "and N more". Ends with the --force hint.
Error precondition_error(const PreconditionVerdict& verdict, std::size_t limit = 20);

// The verdict as warning lines (for --force).
std::vector<std::string> precondition_warnings(const PreconditionVerdict& verdict);

} // namespace meshca
