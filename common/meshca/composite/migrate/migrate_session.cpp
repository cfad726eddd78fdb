#include "meshca/composite/migrate/migrate_session.h"

#include "meshca/checks/check_root.h"
#include "meshca/checks/preflight.h"
#include "meshca/checks/status_phase.h"
#include "meshca/cli/cluster_check.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/commands/check_root/check_root_output.h"
#include "meshca/mesh/meshca_bundle_source.h"
#include "meshca/util/sha256_stream.h"

#include <algorithm>
#include <ostream>

namespace meshca {
namespace {

// Each list page, exec and proxied read: as check-root's readers.
constexpr std::chrono::milliseconds kReadTimeout{60000};

// Every sidecar of every cluster, as check-root --workload-cert -A reads them, through each
// cluster's proxy (or kubectl exec when it has none).
Result<CheckRootResult> read_sidecars(MigrationSession& session, CheckRootOptions& options,
                                      const std::atomic<bool>* cancel) {
  options.workload_cert = true;
  options.output = OutputFormat::json;
  std::vector<std::unique_ptr<DumpFetcher>> fetchers; // this read's, over the session's clients
  std::vector<ClusterTarget> targets;
  for (std::size_t i = 0; i < session.size(); ++i) {
    const ClusterReaders& readers = session.readers(i);
    if (readers.api) {
      ApiClient& api = *readers.api;
      fetchers.push_back(sidecar_dump_fetcher(
          options.trust_domain ? WantClusters::yes : WantClusters::no,
          [&api](AdminRequest request) -> std::unique_ptr<DumpFetcher> {
            return std::make_unique<ApiExecFetcher>(api, std::move(request), kReadTimeout);
          }));
    } else {
      fetchers.push_back(nullptr);
    }
    targets.push_back(
        {session.context(i), &session.kubectl(i), readers.lister.get(), fetchers.back().get()});
  }
  return check_clusters(targets, options, session.recognizer(), cancel);
}

std::optional<PreflightReport> preflight_for(const PreflightSnapshot& snapshot, PreflightStep step,
                                             const std::string& revision,
                                             const MeshCaRecognizer& recognizer) {
  if (revision.empty())
    return std::nullopt;
  auto report = evaluate_preflight(snapshot, {step, revision}, recognizer);
  if (!report)
    return std::nullopt; // not installed (any more)
  return std::move(*report);
}

} // namespace

Result<std::unique_ptr<MigrationSession>> MigrationSession::open(const MigrateSettings& settings,
                                                                 std::ostream& notes) {
  std::unique_ptr<MigrationSession> session(new MigrationSession());
  session->settings_ = settings;
  session->notes_ = &notes;
  MESHCA_TRY_ASSIGN(session->kubectl_path_, prepare_kubectl(settings.common));
  const auto verbose = settings.common.verbose ? Verbose::yes : Verbose::no;
  const std::vector<ConnectionFlags> connections = settings.common.connections();
  for (const ConnectionFlags& flags : connections) {
    session->contexts_.push_back(flags.context.value_or(""));
    session->processes_.push_back(
        std::make_unique<Kubectl>(session->kubectl_path_, flags, verbose, notes));
    MESHCA_TRY(require_istio_namespace(*session->processes_.back(), flags.context));
  }
  MESHCA_TRY_ASSIGN(auto recognizer,
                    load_meshca_recognizer({settings.meshca_bundle, default_cache_dir()}));
  session->recognizer_.emplace(std::move(recognizer));
  // The proxies last, once the input is known to be good: they live as long as the session.
  for (std::size_t i = 0; i < connections.size(); ++i) {
    ReaderSettings readers;
    readers.transport = settings.transport;
    readers.proxy.kubectl = session->kubectl_path_;
    readers.proxy.flags = connections[i];
    readers.proxy.verbose = verbose;
    readers.proxy.echo = &notes;
    readers.timeout = kReadTimeout;
    MESHCA_TRY_ASSIGN(auto opened, open_cluster_readers(readers, notes));
    Kubectl& kubectl = *session->processes_[i];
    auto& proxied = session->proxied_.emplace_back(
        proxied_reads_for(opened, kubectl, connections[i], kReadTimeout));
    session->runners_.push_back(proxied ? static_cast<KubectlRunner*>(proxied.get()) : &kubectl);
    session->readers_.push_back(std::move(opened));
  }
  return session;
}

Result<MeshReading> MigrationSession::read(bool sidecars, const std::atomic<bool>* cancel,
                                           CheckRootOptions check) {
  MeshReading reading;
  std::vector<PreflightSnapshot> snapshots;
  for (std::size_t i = 0; i < size(); ++i) {
    MESHCA_TRY_ASSIGN(auto ledger, read_ledger(kubectl(i), context(i)));
    MESHCA_TRY_ASSIGN(auto snapshot, read_preflight_snapshot(kubectl(i)));
    ClusterFacts facts;
    facts.context = context(i);
    facts.status = build_status(snapshot.status.inputs());
    decide_phase(facts.status);
    facts.recorded = ledger.revisions;
    const MigrationRevisions revisions = migration_revisions(facts.status, facts.recorded);
    facts.preflight_round1 =
        preflight_for(snapshot, PreflightStep::round1, revisions.round1, recognizer());
    facts.preflight_round2 =
        preflight_for(snapshot, PreflightStep::round2, revisions.round2, recognizer());
    reading.facts.push_back(std::move(facts));
    reading.ledgers.push_back(std::move(ledger));
  }
  if (sidecars) {
    auto result = read_sidecars(*this, check, cancel);
    if (result) {
      // The report's digest, hashed as it is written (at 10,000 pods its text is tens of MB).
      Sha256Stream hashed;
      write_check_root(*result, check, hashed);
      const std::string json_sha256 = hashed.hex();
      for (ClusterFacts& facts : reading.facts) {
        const std::string prefix = "context \"" + facts.context + "\": ";
        const bool failed =
            std::any_of(result->cluster_errors.begin(), result->cluster_errors.end(),
                        [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
        if (!failed)
          facts.sidecars = summarize_sidecars(*result, facts.context, json_sha256);
      }
      reading.sidecars = std::move(*result);
    } else {
      *notes_ << "warning: the sidecars could not be read: " << result.error().message << '\n';
    }
  }
  for (const ClusterFacts& facts : reading.facts)
    reading.plans.push_back(plan_cluster(facts));
  apply_lockstep(reading.plans, reading.facts);
  return reading;
}

} // namespace meshca
