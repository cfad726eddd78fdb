#pragma once
// check-root: what every sidecar trusts, who issued its certificate, which trust domains it
// accepts (DESIGN.md, "check-root"). The library behind the command and behind cleanup-secrets'
// precondition.

#include "meshca/checks/mtls_matrix.h"
#include "meshca/checks/pod_report.h"
#include "meshca/kube/kubectl.h"
#include "meshca/mesh/ca_class.h"
#include "meshca/mesh/dump_fetcher.h"
#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/output_format.h"

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct CheckRootOptions {
  std::vector<std::string> namespaces; // empty: every namespace but the system ones
  std::string selector;                // -l
  bool workload_cert = false;
  bool trust_domain = false;
  bool mtls = false;
  OutputFormat output = OutputFormat::text;
  std::vector<CaClass> require;
  std::vector<CaClass> forbid;
  std::optional<std::string> meshca_bundle;
  std::size_t parallel = 32;
  std::chrono::hours expiry_warn{60 * 24};
  std::chrono::milliseconds exec_timeout{60000};
  std::vector<std::string> config_dumps;      // offline: files ("-" = stdin) instead of a cluster
  Transport transport = Transport::automatic; // how the cluster is read (--transport)
};

struct ScopeCounts {
  std::size_t not_running = 0;
  std::size_t without_sidecar = 0;
};

struct CheckRootResult {
  std::vector<PodReport> pods;         // sorted by context, namespace, name
  std::vector<std::string> namespaces; // named namespaces, listed even when empty
  std::vector<std::string> contexts;   // the contexts checked ("" for the current one)
  bool several_contexts = false;
  ScopeCounts skipped;
  std::vector<std::string> cluster_errors; // contexts whose pods could not be listed
  std::vector<std::string> warnings;       // what was assumed because it could not be read
  std::string meshca_rule;                 // how MESHCA was recognised (one line)
  bool rule_is_subject_cn = false;
  std::optional<MtlsMatrix> mtls;
  std::vector<std::string> gate_failures; // why --require/--forbid/checks failed
  ExitStatus status = ExitStatus::ok;
};

// One cluster to check: a kubectl for its context, and the context's name for reports.
// `lister` and `fetcher`, when set, replace kubectl for listing pods and reading dumps (the
// in-process transport, see open_cluster_readers).
struct ClusterTarget {
  std::string context; // "" for the kubeconfig's current context
  KubectlRunner* kubectl = nullptr;
  PodLister* lister = nullptr;
  DumpFetcher* fetcher = nullptr;
};

class MeshCaRecognizer;

// The Running sidecar pods of `namespaces` (empty: all but the system ones) matching `selector`,
// through the cluster's lister or kubectl. bad_input for a named namespace that does not exist.
Result<PodSelection> list_cluster_sidecars(const ClusterTarget& cluster,
                                           const std::vector<std::string>& namespaces,
                                           const std::string& selector);

// Named namespaces must exist: `kubectl get pods -n typo` succeeds with an empty list. One
// `kubectl get namespaces A B -o name`; bad_input naming the missing one and the fix.
Status check_namespaces_exist(KubectlRunner& kubectl, const std::vector<std::string>& namespaces);

// Checks the clusters. Fails (without a result) only for bad input that stops everything, such
// as an unknown namespace (bad_input) or no cluster readable at all (cluster_error); per-pod
// failures are reported in the result, with status cluster_error.
Result<CheckRootResult> check_clusters(const std::vector<ClusterTarget>& clusters,
                                       const CheckRootOptions& options,
                                       const MeshCaRecognizer& recognizer,
                                       const std::atomic<bool>* cancel = nullptr);

// Checks saved dumps (options.config_dumps) instead of a cluster; pods are named after the files.
Result<CheckRootResult> check_dump_files(const CheckRootOptions& options,
                                         const MeshCaRecognizer& recognizer);

// Applies --require, --forbid and the checks' own verdicts to a result and sets its status.
void apply_gates(const CheckRootOptions& options, CheckRootResult& result);

} // namespace meshca
