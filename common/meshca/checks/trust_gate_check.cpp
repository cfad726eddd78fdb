#include "meshca/checks/trust_gate_check.h"

#include "meshca/util/worker_pool.h"

#include <algorithm>

namespace meshca {
namespace {

bool has_citadel_secret(const MeshCaConfig& config) {
  return !config.ca_secrets.empty();
}

} // namespace

std::optional<std::string> root_distributing_revision(const MeshCaConfig& config,
                                                      const CheckRootResult& mesh,
                                                      const MeshCaRecognizer& recognizer) {
  std::optional<std::string> best;
  std::string best_created;
  for (const auto& [name, ca] : config.revisions) {
    const RevisionTrust trust =
        predict_revision_trust(name, mesh, &ca, has_citadel_secret(config), recognizer);
    if (trust.issues != CaSet{true, false} || trust.trusts != CaSet{true, true})
      continue;
    if (!best || ca.created > best_created || (ca.created == best_created && name > *best)) {
      best = name;
      best_created = ca.created;
    }
  }
  return best;
}

Status MeshTrustGate::read() {
  if (mesh_ && config_)
    return Done{};
  if (settings_.clusters.empty() || settings_.clusters.front().kubectl == nullptr ||
      settings_.recognizer == nullptr)
    return cluster_error("the trust gate has no cluster to read");
  // The configuration (a few kubectl lists) and the sidecars (one dump each) at once.
  std::optional<Error> config_error;
  std::optional<Error> mesh_error;
  parallel_for(2, 2, [&](std::size_t i) {
    if (i == 0 && !config_) {
      auto config = read_mesh_ca_config(*settings_.clusters.front().kubectl);
      if (config)
        config_ = std::move(*config);
      else
        config_error = config.error();
    } else if (i == 1 && !mesh_) {
      CheckRootOptions options;
      options.workload_cert = true;
      options.parallel = settings_.parallel;
      auto mesh =
          check_clusters(settings_.clusters, options, *settings_.recognizer, settings_.cancel);
      if (mesh)
        mesh_ = std::move(*mesh);
      else
        mesh_error = mesh.error();
    }
  });
  if (config_error)
    return *config_error;
  if (mesh_error)
    return *mesh_error;
  return Done{};
}

Result<TrustGateVerdict> MeshTrustGate::check(const std::string& revision) {
  MESHCA_TRY(read());
  const RevisionCa* ca = config_->find(revision);
  const std::string resolved = ca != nullptr ? ca->revision : revision;
  const RevisionTrust target = predict_revision_trust(
      resolved, *mesh_, ca, has_citadel_secret(*config_), *settings_.recognizer);
  TrustGateVerdict verdict = evaluate_trust_gate(*mesh_, target);
  verdict.root_distributing = root_distributing_revision(*config_, *mesh_, *settings_.recognizer);
  if (verdict.root_distributing == resolved)
    verdict.root_distributing.reset(); // moving there is the fix itself
  verdict.first_context = settings_.clusters.front().context;
  return verdict;
}

Status apply_trust_gate(const TrustGateCheck& gate, const std::vector<PlannedMove>& moves,
                        Force force, std::vector<std::string>& warnings) {
  if (!gate)
    return Done{};
  for (const PlannedMove& move : moves) {
    std::string what;
    for (const std::string& item : move.what)
      what += (what.empty() ? "" : ", ") + item;
    auto verdict = gate(move.revision);
    if (!verdict) {
      if (force == Force::no)
        return Error{verdict.error().status,
                     "the trust gate for moving " + what + " to " + move.revision +
                         " could not be checked: " + verdict.error().message +
                         "\nNothing was changed. Use --force to move without the check."};
      warnings.push_back("--force: the trust gate was not checked: " + verdict.error().message);
      continue;
    }
    if (verdict->ok())
      continue;
    if (force == Force::no)
      return trust_gate_refusal(*verdict, what);
    for (std::string& line : trust_gate_warnings(*verdict, what))
      warnings.push_back(std::move(line));
  }
  return Done{};
}

} // namespace meshca
