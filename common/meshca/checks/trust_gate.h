#pragma once
// The trust gate (DESIGN.md, rollout): after a namespace moves to a revision, every sidecar must
// still be able to authenticate every other. Refused when the revision's certificates would come
// from a CA some running sidecar does not trust (round 2 started too early), or when the
// revision's sidecars would not trust the issuer of some running sidecar's certificate (a
// rollback to a Citadel-only revision while Mesh CA certificates are in use). Pure: it reads a
// check-root result of the whole mesh (every context) and the revision's configuration.

#include "meshca/checks/check_root.h"
#include "meshca/mesh/revision_ca.h"
#include "meshca/util/result.h"

#include <optional>
#include <string>
#include <vector>

namespace meshca {

// What the sidecars of a revision hold, or will hold once it has some.
struct RevisionTrust {
  std::string revision;
  CaSet issues;         // the CA(s) its certificates come from
  CaSet trusts;         // the roots its sidecars trust
  std::string evidence; // "4 running sidecars" or what the configuration says
};

// "1 sidecar trusts [CITADEL]" / "3 sidecars trust [CITADEL]": `plural_phrase` is written for
// several (its first word, a verb, is made singular for one).
std::string sidecars_that(std::size_t count, const std::string& plural_phrase);

// From the revision's running sidecars in `mesh` when it has some (the CAs that issued their
// certificates; the roots all of them trust), else from `config`: its CA, plus the roots of
// caCertificates, plus the Citadel root when a multi-root Mesh CA revision still runs its own CA
// beside the CA secrets. A revision whose CA cannot be told counts as issuing Mesh CA (refuse
// rather than guess). `config` may be null (not installed).
RevisionTrust predict_revision_trust(const std::string& revision, const CheckRootResult& mesh,
                                     const RevisionCa* config, bool citadel_secrets_present,
                                     const MeshCaRecognizer& recognizer);

// The same from the configuration alone (status, which reads no sidecar).
RevisionTrust revision_trust_from_config(const std::string& revision, const RevisionCa* config,
                                         bool citadel_secrets_present,
                                         const MeshCaRecognizer& recognizer);

// Sidecars on the wrong side of the gate, per context, namespace and revision.
struct GateGroup {
  std::string context;
  std::string ns;
  std::string revision;
  std::size_t sidecars = 0;
  std::string holds; // "trust [CITADEL]", "hold certificates issued by [MESHCA]"
};

struct TrustGateVerdict {
  RevisionTrust target;
  std::size_t checked = 0;
  std::vector<GateGroup> distrust_target;       // they do not trust a CA the target issues from
  std::vector<GateGroup> distrusted;            // the target does not trust their certificates' CA
  std::vector<std::string> unreadable;          // "ctx: pod.ns: why" (cannot be proven safe)
  std::optional<std::string> root_distributing; // an installed Citadel revision trusting both
  std::string first_context;                    // the cluster being changed ("" current)

  bool ok() const { return distrust_target.empty() && distrusted.empty() && unreadable.empty(); }
};

TrustGateVerdict evaluate_trust_gate(const CheckRootResult& mesh, const RevisionTrust& target);

// The refusal: check_failed naming the sidecars on the wrong side (at most `limit` groups, then
// "and N more") and the fix in the guide's order, or cluster_error when all that is wrong is
// sidecars that could not be read. `moving` names what was asked ("namespace shop", ...).
// Ends with the --force hint and "Nothing was changed".
Error trust_gate_refusal(const TrustGateVerdict& verdict, const std::string& moving,
                         std::size_t limit = 20);

// What --force overrides, as warning lines ("--force: ...").
std::vector<std::string> trust_gate_warnings(const TrustGateVerdict& verdict,
                                             const std::string& moving);

} // namespace meshca
