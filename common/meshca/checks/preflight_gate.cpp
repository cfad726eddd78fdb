#include "meshca/checks/preflight_gate.h"

#include "meshca/checks/status_phase.h"

#include <algorithm>

namespace meshca {

std::optional<PreflightStep> round_started_by(const MeshStatus& status,
                                              const std::string& revision) {
  const RevisionStatus* found = status.find(revision);
  if (found == nullptr || !found->istiod)
    return std::nullopt;
  if (found->issuer == "MESHCA")
    return PreflightStep::round2;
  const RevisionCa& ca = found->ca;
  if (ca.multi_root || ca.xds_agent || !ca.ca_certificates.empty())
    return PreflightStep::round1;
  return std::nullopt;
}

std::vector<PreflightCheck> move_blockers(const PreflightReport& report,
                                          const std::string& revision,
                                          const std::vector<std::string>& namespaces) {
  std::vector<PreflightCheck> blockers;
  for (const PreflightGroup& group : report.groups)
    for (const PreflightCheck& check : group.checks) {
      if (check.result != CheckResult::failure)
        continue;
      const bool relevant =
          check.object == "revision " + revision || check.object == "control plane" ||
          check.object.rfind("mutatingwebhookconfiguration/", 0) == 0 ||
          check.object.rfind("secret", 0) == 0 ||
          std::any_of(namespaces.begin(), namespaces.end(),
                      [&](const std::string& ns) { return check.object == "namespace " + ns; });
      if (relevant)
        blockers.push_back(check);
    }
  return blockers;
}

Result<PreflightGateVerdict> check_move_preflight(KubectlRunner& kubectl,
                                                  const RecognizerLoader& recognizer,
                                                  const std::string& revision,
                                                  const std::vector<std::string>& namespaces) {
  MESHCA_TRY_ASSIGN(auto snapshot, read_preflight_snapshot(kubectl));
  MeshStatus status = build_status(snapshot.status.inputs());
  PreflightGateVerdict verdict;
  verdict.revision = revision;
  verdict.step = round_started_by(status, revision);
  if (!verdict.step)
    return verdict;
  MESHCA_TRY_ASSIGN(const MeshCaRecognizer* loaded, recognizer());
  MESHCA_TRY_ASSIGN(auto report, evaluate_preflight(snapshot, {verdict.step, revision}, *loaded));
  verdict.blocking = move_blockers(report, revision, namespaces);
  return verdict;
}

std::string preflight_refusal(const PreflightGateVerdict& verdict) {
  const std::string step(verdict.step ? to_string(*verdict.step) : "");
  std::string text = "revision " + verdict.revision + " fails the preflight for " + step +
                     ", the round this move starts:";
  for (const PreflightCheck& check : verdict.blocking) {
    text += "\n  - " + check.text;
    if (!check.fix.empty())
      text += "\n    fix: " + check.fix;
  }
  text += "\nkubectl meshca preflight --for " + step + " --revision " + verdict.revision +
          " shows every check; --force overrides";
  return text;
}

} // namespace meshca
