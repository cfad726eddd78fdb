#pragma once
// The migration's ledger: one ConfigMap per cluster, `kubectl-meshca-migration` in istio-system
// (key `ledger.json`), recording the phase, each step migrate did (when, by whom, the command,
// its gate's evidence) and the lease of the run holding it. Writes are optimistic: a replace
// carries the resourceVersion that was read, so two runs cannot both think they hold the lease.

#include "meshca/composite/migrate/migrate_steps.h"
#include "meshca/kube/kubectl.h"

#include <chrono>
#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

inline constexpr const char* kLedgerName = "kubectl-meshca-migration";
inline constexpr const char* kLedgerNamespace = "istio-system";

struct LedgerStep {
  std::string id;       // a migration step id
  std::string revision; // what it acted on
  std::string time;     // RFC 3339, UTC
  std::string user;     // the kubeconfig user that ran it
  std::string command;  // what was run
  std::string evidence; // the gate's summary counts, or what the step did
  std::string sha256;   // of the check-root JSON the evidence comes from ("" when none)
};

struct LedgerLease {
  std::string holder;    // "user@host pid N"
  long long expires = 0; // Unix seconds
};

struct Ledger {
  bool exists = false;          // the ConfigMap was found
  std::string resource_version; // of the ConfigMap read
  std::string to = "meshca";
  std::string phase;
  MigrationRevisions revisions;
  std::vector<LedgerStep> steps;
  std::vector<std::string> notes; // where the cluster and the ledger disagreed
  std::optional<LedgerLease> lease;

  const LedgerStep* last(const std::string& id) const; // the newest record of a step
};

// The ledger's steps and lease as JSON values (the ledger and migrate status print the same).
rapidjson::Value ledger_steps_value(const std::vector<LedgerStep>& steps,
                                    rapidjson::Document::AllocatorType& a);
rapidjson::Value lease_value(const LedgerLease& lease, rapidjson::Document::AllocatorType& a);

// The ledger's JSON (the value of `ledger.json`), and back. bad_input for a ledger that is not
// ours or not valid, naming the ConfigMap and the fix.
std::string ledger_to_json(const Ledger& ledger);
Result<Ledger> ledger_from_json(std::string_view text, const std::string& context);

// Reads the ledger (NotFound: an empty one, exists false).
Result<Ledger> read_ledger(KubectlRunner& kubectl, const std::string& context);

// Writes it: create when it did not exist, else replace at the resourceVersion read. A conflict
// (another run wrote since) is check_failed, naming the holder to wait for. On success
// `ledger.resource_version` is the new one.
Status write_ledger(KubectlRunner& kubectl, Ledger& ledger, const std::string& context);

// Takes the lease for `holder` until now + duration, unless another live holder has it
// (check_failed: who holds it, until when, and what to do). Writes the ledger.
Status acquire_lease(KubectlRunner& kubectl, Ledger& ledger, const std::string& context,
                     const std::string& holder, std::chrono::system_clock::time_point now,
                     std::chrono::seconds duration);

// Drops our lease (best effort: a failure leaves it to expire).
void release_lease(KubectlRunner& kubectl, Ledger& ledger, const std::string& context,
                   const std::string& holder);

// The kubeconfig user of the cluster (`kubectl config view --minify`), "unknown" when unset.
std::string kubeconfig_user(KubectlRunner& kubectl);

} // namespace meshca
