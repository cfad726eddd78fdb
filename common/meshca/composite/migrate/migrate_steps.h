#pragma once
// The guide as steps, per cluster (DESIGN.md, migrate; docs/migrate.md): round 1 (install the
// root-distributing revision, move and restart every namespace and gateway onto it, prove every
// sidecar trusts both roots, move the tags, prune the old revision), round 2 (the same onto the
// Mesh CA revision, proving every certificate is Mesh CA-issued), then the cleanup (the CA secrets
// retired, the sidecars restarted off the Citadel root, proof none trusts it). Each step says
// what it does, the gate before it, the command that does it, and whether the cluster shows it
// done. Pure: decided from status's view of the cluster, preflight and the sidecar evidence.

#include "meshca/checks/preflight_model.h"
#include "meshca/checks/status_model.h"
#include "meshca/composite/migrate/migrate_evidence.h"
#include "meshca/composite/migrate/migrate_step_ids.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace meshca {

enum class StepKind {
  install,
  preflight,
  relabel,
  rollout,
  gateways,
  verify,
  tags,
  prune,
  cleanup
};

// done: the cluster shows it done (or a later step supersedes it); next: the first step not
// done, which apply runs (an install: apply stops and prints the command); blocked: the next
// step is a gate that does not hold; waiting: the next step waits for another cluster
// (lockstep); pending: after the next one.
enum class StepState { done, next, blocked, waiting, pending };

std::string_view to_string(StepState state);

struct MigrationStep {
  std::string id; // "relabel-round1": stable, for --until and the ledger
  StepKind kind = StepKind::install;
  int round = 1;         // 1, 2, or 3 for the cleanup
  std::string title;     // "move every injected namespace to asm-r1"
  std::string revision;  // the revision it installs, moves to or prunes ("" when none)
  std::string gate;      // what must hold before it runs
  std::string command;   // the command that does it
  bool external = false; // the suite cannot do it (an install): the operator runs `command`
  StepState state = StepState::pending;
  std::string evidence;             // why it is done, blocked or waiting (one line)
  std::vector<std::string> details; // blocking pods, preflight failures with their fixes
  // What the step acts on: namespaces (rollout), "NS/NAME" gateways, tag names, revisions (prune).
  std::vector<std::string> targets;
  bool is_gate() const { return kind == StepKind::preflight || kind == StepKind::verify; }
};

// The revisions a migration moves through; names recorded in the ledger fill in revisions the
// cluster no longer has (pruned).
struct MigrationRevisions {
  std::vector<std::string> old; // plain Citadel revisions
  std::string round1;           // issues Citadel certificates, hands out the Mesh CA root
  std::string round2;           // issues Mesh CA certificates
};

struct ClusterFacts {
  std::string context;                             // "" for the current one
  MeshStatus status;                               // with decide_phase applied
  std::optional<PreflightReport> preflight_round1; // for the round-1 revision, when installed
  std::optional<PreflightReport> preflight_round2;
  SidecarEvidence sidecars;
  MigrationRevisions recorded; // from the ledger
};

struct ClusterPlan {
  std::string context;
  std::string phase; // status's phase
  MigrationRevisions revisions;
  std::vector<MigrationStep> steps;

  const MigrationStep* next() const; // the step that is next, blocked or waiting; null: finished
  const MigrationStep* find(const std::string& id) const;
  bool finished() const { return next() == nullptr; }
};

// The installed revisions by the part they are configured for: plain Citadel, Citadel handing
// out the Mesh CA root (round 1), Mesh CA (round 2).
struct RevisionRoles {
  std::set<std::string> plain, distributing, meshca;
};
RevisionRoles revision_roles(const MeshStatus& status);

// Which revisions play which part, from what is installed (and what the ledger recorded).
MigrationRevisions migration_revisions(const MeshStatus& status,
                                       const MigrationRevisions& recorded);

// Every step of one cluster with its state; lockstep is applied across clusters afterwards.
ClusterPlan plan_cluster(const ClusterFacts& facts);

// Lockstep across clusters: no cluster moves a namespace to Mesh CA certificates (relabel-round2)
// until every cluster's sidecars trust the Mesh CA root, and no cluster retires the Citadel CA
// (cleanup-secrets) until no sidecar anywhere holds a Citadel-issued certificate. A held-back
// step becomes `waiting`, naming the clusters and pods it waits for.
void apply_lockstep(std::vector<ClusterPlan>& plans, const std::vector<ClusterFacts>& facts);

// "east" or "the current context".
std::string context_label(const std::string& context);

} // namespace meshca
