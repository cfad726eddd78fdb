#pragma once
// One migrate run's view of the mesh: a kubectl per --context (every cluster of the mesh; the
// current context when none is given), the Mesh CA recognizer, and the reads each plan is made
// of: status and preflight (a handful of lists per cluster), the ledger, and one check-root pass
// over every sidecar of every cluster (--workload-cert).
//
// Unless --transport exec, each cluster gets one kubectl proxy for the whole run: the sidecars
// are read through it, and so are the lists (ProxiedReads), which migrate reads again after
// every step; writes, exec and Secret reads stay kubectl processes.

#include "meshca/checks/check_root.h"
#include "meshca/cli/common_options.h"
#include "meshca/composite/migrate/migrate_ledger.h"
#include "meshca/composite/migrate/migrate_steps.h"
#include "meshca/kube/proxied_reads.h"
#include "meshca/mesh/ca_class.h"
#include "meshca/mesh/dump_fetcher.h"

#include <atomic>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct MigrateSettings {
  CommonOptions common;
  std::optional<std::string> meshca_bundle;
  Transport transport = Transport::automatic;
};

// What one read of every cluster gave.
struct MeshReading {
  std::vector<ClusterFacts> facts;         // one per cluster, in --context order
  std::vector<Ledger> ledgers;             // the same order
  std::vector<ClusterPlan> plans;          // lockstep applied
  std::optional<CheckRootResult> sidecars; // the check-root pass, when sidecars were read
};

class MigrationSession {
 public:
  // Finds kubectl, checks every cluster has istio-system (bad_input naming the context), loads
  // the Mesh CA recognizer, then starts each cluster's proxy (see above). Notes (the Mesh CA
  // rule, a proxy that could not start) go to `notes`, as -v's lines do.
  static Result<std::unique_ptr<MigrationSession>> open(const MigrateSettings& settings,
                                                        std::ostream& notes);

  std::size_t size() const { return contexts_.size(); }
  const std::string& context(std::size_t i) const { return contexts_[i]; }
  // Cluster i's calls: lists through its proxy when it has one, the rest through kubectl.
  KubectlRunner& kubectl(std::size_t i) { return *runners_[i]; }
  // Cluster i's kubectl itself (after_interrupt, the connection flags).
  Kubectl& kubectl_process(std::size_t i) { return *processes_[i]; }
  // Cluster i's proxy and in-process readers (none with --transport exec, or when the proxy
  // could not start under --transport auto).
  const ClusterReaders& readers(std::size_t i) const { return readers_[i]; }
  const std::string& kubectl_path() const { return kubectl_path_; }
  const MigrateSettings& settings() const { return settings_; }
  const MeshCaRecognizer& recognizer() const { return *recognizer_; }

  // Reads every cluster and plans. `sidecars`: also read every sidecar (the gates' evidence),
  // with `check` (--workload-cert is always on; the report adds --trust-domain and --mtls).
  Result<MeshReading> read(bool sidecars, const std::atomic<bool>* cancel,
                           CheckRootOptions check = {});

 private:
  MigrationSession() = default;

  MigrateSettings settings_;
  std::string kubectl_path_;
  std::vector<std::string> contexts_;
  std::vector<std::unique_ptr<Kubectl>> processes_;
  std::vector<ClusterReaders> readers_; // the proxies; empty readers with --transport exec
  std::vector<std::unique_ptr<ProxiedReads>> proxied_; // null without a proxy
  std::vector<KubectlRunner*> runners_;                // proxied_[i], else processes_[i]
  std::optional<MeshCaRecognizer> recognizer_;
  std::ostream* notes_ = nullptr;
};

} // namespace meshca
