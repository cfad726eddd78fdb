#pragma once
// The trust gate of a relabel or rollout run, opened on first use: one reader per --context (the
// in-process transport as check-root uses it, else kubectl exec), the Mesh CA recognizer
// (--meshca-bundle), and the gate itself. Nothing is started for a run that moves nothing.

#include "meshca/checks/trust_gate_check.h"
#include "meshca/cli/common_options.h"
#include "meshca/cli/plugin_runner.h"
#include "meshca/kube/kubectl.h"
#include "meshca/kube/proxied_reads.h"
#include "meshca/mesh/ca_class.h"
#include "meshca/mesh/dump_fetcher.h"

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

// The command's own connection as the gate's first cluster.
ClusterTarget first_cluster(MeshConnection& mesh, const CommonOptions& common);

class TrustGateSession {
 public:
  // `kubectl_path` and `common` describe every cluster (--context, repeatable: the first is the
  // one being changed); notes (the Mesh CA rule, transport fallbacks) go to `notes`. `first`,
  // when it names a runner, is the first cluster already open (the command's own connection:
  // its proxy serves the gate too); it must outlive this session.
  TrustGateSession(std::string kubectl_path, const CommonOptions& common,
                   std::optional<std::string> meshca_bundle, std::ostream& notes,
                   ClusterTarget first = {});
  // The gate over clusters a caller has open already (migrate's session: its runners and
  // readers, the cluster being changed first) with its recognizer: nothing is started. The
  // clusters and the recognizer must outlive this session.
  TrustGateSession(std::vector<ClusterTarget> open_clusters, const MeshCaRecognizer& recognizer,
                   std::ostream& notes);
  ~TrustGateSession();
  TrustGateSession(const TrustGateSession&) = delete;
  TrustGateSession& operator=(const TrustGateSession&) = delete;

  // The check relabel and rollout call; valid while this session lives.
  TrustGateCheck check();

 private:
  Status open();
  Status start_clusters(); // a reader and a runner per --context

  std::string kubectl_path_;
  CommonOptions common_;
  std::optional<std::string> meshca_bundle_;
  std::ostream& notes_;
  ClusterTarget first_;
  std::vector<std::unique_ptr<Kubectl>> runners_;
  std::vector<ClusterReaders> readers_;                // own the proxies; closed after the gate
  std::vector<std::unique_ptr<ProxiedReads>> proxied_; // lists through those proxies
  std::vector<ClusterTarget> open_clusters_;           // given, or started on first use
  std::optional<MeshCaRecognizer> recognizer_;         // loaded on first use when none is given
  const MeshCaRecognizer* recognizer_in_use_ = nullptr;
  std::unique_ptr<MeshTrustGate> gate_;
};

} // namespace meshca
