#pragma once
// The groups of preflight checks, one file each; what they share. Internal to checks/.

#include "meshca/checks/preflight.h"
#include "meshca/checks/status_model.h"
#include "meshca/util/x509.h"

#include <string>
#include <vector>

namespace meshca {

struct PreflightContext {
  const MeshStatus& status;
  const PreflightSnapshot& snapshot;
  const MeshCaRecognizer& recognizer;
  PreflightStep step;
  const RevisionStatus* revision;   // the revision the step moves to or prunes; null: none
  std::string citadel_trust_domain; // the trust domain Citadel-issued identities carry

  bool is_round() const { return step == PreflightStep::round1 || step == PreflightStep::round2; }
  // A finding that blocks the step being prepared is a failure, else a warning.
  static CheckResult blocks_if(bool blocks) {
    return blocks ? CheckResult::failure : CheckResult::warning;
  }
};

// Certificates of a PEM text, classified as bundle roots are.
struct ClassifiedRoots {
  std::vector<x509::Certificate> certificates;
  CaSet classes;
  std::string error; // not empty: the text did not parse (the reason)

  // "[CITADEL MESHCA]: 3 roots" / "no certificate".
  std::string describe() const;
};

ClassifiedRoots classify_roots(const std::string& pem, const std::string& what,
                               const MeshCaRecognizer& recognizer);

// asmcli command lines that install a revision with the settings of each round.
inline constexpr const char* kInstallRound1 =
    "asmcli install --ca citadel --option ca-migration-citadel --revision_name REV";
inline constexpr const char* kInstallRound2 =
    "asmcli install --ca mesh_ca --option ca-migration-meshca --revision_name REV";

PreflightGroup check_revisions(const PreflightContext& context);
PreflightGroup check_namespaces(const PreflightContext& context);
PreflightGroup check_webhooks(const PreflightContext& context);
PreflightGroup check_gateways(const PreflightContext& context);
PreflightGroup check_ca_secrets(const PreflightContext& context);

} // namespace meshca
