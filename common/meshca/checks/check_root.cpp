#include "meshca/checks/check_root.h"

#include "meshca/checks/pod_analysis.h"
#include "meshca/checks/vanished_pods.h"
#include "meshca/mesh/config_dump.h"
#include "meshca/mesh/dump_fetcher.h"
#include "meshca/mesh/trust_bundle_cache.h"
#include "meshca/util/progress.h"
#include "meshca/util/worker_pool.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <tuple>

namespace meshca {
namespace {

Result<PodSelection> list_sidecar_pods(KubectlRunner& kubectl,
                                       const std::vector<std::string>& namespaces,
                                       const std::string& selector) {
  std::vector<std::vector<std::string>> calls;
  if (namespaces.empty()) {
    calls.push_back({"get", "pods", "--all-namespaces", "-o", "json"});
  } else {
    MESHCA_TRY(check_namespaces_exist(kubectl, namespaces));
    for (const std::string& ns : namespaces)
      calls.push_back({"get", "pods", "--namespace", ns, "-o", "json"});
  }
  PodSelection all;
  for (auto& args : calls) {
    if (!selector.empty())
      args.insert(args.end(), {"--selector", selector});
    MESHCA_TRY_ASSIGN(auto list, get_json(kubectl, args, "listing pods"));
    MESHCA_TRY_ASSIGN(auto selection, select_sidecar_pods(list, namespaces.empty()));
    all.not_running += selection.not_running;
    all.without_sidecar += selection.without_sidecar;
    all.excluded_namespace += selection.excluded_namespace;
    std::move(selection.sidecars.begin(), selection.sidecars.end(),
              std::back_inserter(all.sidecars));
  }
  return all;
}

struct Job {
  std::size_t cluster;
  SidecarPod pod;
};

// `chains` holds --mtls's chains, one per issuing chain; it may go before the result, whose pods
// share its chains.
AnalysisSettings analysis_settings(const CheckRootOptions& options, TrustDomainOwners owners,
                                   ChainPool& chains) {
  AnalysisSettings settings;
  settings.expiry_warn = options.expiry_warn;
  settings.keep_chain = options.mtls;
  settings.chains = &chains;
  settings.trust_domain_owners = std::move(owners);
  return settings;
}

// Citadel's trust domains as the cluster's mesh config names them. Read only for --trust-domain
// (one call per context); a failure is a warning, not an error: cluster.local is by far the
// most common trust domain, and the verdicts still name what each pod accepts.
TrustDomainOwners cluster_trust_domain_owners(const ClusterTarget& cluster,
                                              const CheckRootOptions& options,
                                              std::vector<std::string>& warnings) {
  if (!options.trust_domain || cluster.kubectl == nullptr)
    return {};
  auto owners = read_trust_domain_owners(*cluster.kubectl);
  if (owners)
    return std::move(*owners);
  warnings.push_back((cluster.context.empty() ? "" : "context \"" + cluster.context + "\": ") +
                     owners.error().message + "; taking Citadel's trust domain to be " +
                     std::string(kDefaultCitadelTrustDomain));
  return {};
}

// `settings` has one entry per cluster.
void fetch_and_analyze(const std::vector<Job>& jobs, std::vector<DumpFetcher*>& fetchers,
                       const std::vector<AnalysisSettings>& settings,
                       const CheckRootOptions& options, const MeshCaRecognizer& recognizer,
                       const std::vector<ClusterTarget>& clusters, const std::atomic<bool>* cancel,
                       std::vector<PodReport>& reports) {
  TrustBundleCache bundles(recognizer);
  reports.resize(jobs.size());
  ProgressLine progress("checking sidecars", jobs.size());
  parallel_for(
      jobs.size(), options.parallel,
      [&](std::size_t i) {
        const Job& job = jobs[i];
        PodReport& report = reports[i];
        report.context = clusters[job.cluster].context;
        report.ns = job.pod.ns;
        report.name = job.pod.name;
        report.revision = job.pod.revision;
        analyze_tls_state(fetchers[job.cluster]->read_tls_state(job.pod), bundles,
                          settings[job.cluster], report);
        progress.advance(report.failed() ? Outcome::failed : Outcome::ok);
      },
      cancel);
  progress.finish();
  // Pods never started because of cancellation are reported as not checked.
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (reports[i].name.empty()) {
      reports[i].context = clusters[jobs[i].cluster].context;
      reports[i].ns = jobs[i].pod.ns;
      reports[i].name = jobs[i].pod.name;
      reports[i].revision = jobs[i].pod.revision;
      reports[i].error = "not checked: interrupted";
    }
  }
}

// A pod whose read failed because it stopped running after the list (a rollout replaced it) is
// counted as not running, as a list a moment later would have counted it; its error goes. The
// cluster is asked about each failed pod (one get each); not after Ctrl-C.
void drop_stopped_pods(const std::vector<Job>& jobs, const std::vector<ClusterTarget>& clusters,
                       const CheckRootOptions& options, const std::atomic<bool>* cancel,
                       CheckRootResult& result) {
  if (cancel != nullptr && cancel->load())
    return;
  std::vector<bool> drop(jobs.size(), false);
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    if (clusters[c].kubectl == nullptr)
      continue;
    std::vector<std::size_t> failed;
    std::vector<const SidecarPod*> pods;
    for (std::size_t i = 0; i < jobs.size(); ++i)
      if (jobs[i].cluster == c && result.pods[i].failed()) {
        failed.push_back(i);
        pods.push_back(&jobs[i].pod);
      }
    if (pods.empty())
      continue;
    const std::vector<bool> stopped =
        stopped_pods(*clusters[c].kubectl, pods, options.parallel, cancel);
    for (std::size_t k = 0; k < failed.size(); ++k)
      if (stopped[k]) {
        drop[failed[k]] = true;
        ++result.skipped.not_running;
      }
  }
  std::vector<PodReport> kept;
  kept.reserve(result.pods.size());
  for (std::size_t i = 0; i < result.pods.size(); ++i)
    if (!drop[i])
      kept.push_back(std::move(result.pods[i]));
  result.pods = std::move(kept);
}

} // namespace

Status check_namespaces_exist(KubectlRunner& kubectl, const std::vector<std::string>& namespaces) {
  std::vector<std::string> args = {"get", "namespaces"};
  args.insert(args.end(), namespaces.begin(), namespaces.end());
  args.insert(args.end(), {"-o", "name"});
  std::string attempts;
  MESHCA_TRY_ASSIGN(auto output, run_with_retries(kubectl, args, std::nullopt, {}, &attempts));
  if (output.succeeded())
    return done();
  if (is_not_found(output))
    return bad_input(trim_kubectl_stderr(output.err) +
                     "; check the name with kubectl get namespaces");
  return kubectl_failure(output, args, "listing namespaces", attempts);
}

Result<PodSelection> list_cluster_sidecars(const ClusterTarget& cluster,
                                           const std::vector<std::string>& namespaces,
                                           const std::string& selector) {
  return cluster.lister != nullptr ? cluster.lister->list(namespaces, selector)
                                   : list_sidecar_pods(*cluster.kubectl, namespaces, selector);
}

Result<CheckRootResult> check_clusters(const std::vector<ClusterTarget>& clusters,
                                       const CheckRootOptions& options,
                                       const MeshCaRecognizer& recognizer,
                                       const std::atomic<bool>* cancel) {
  CheckRootResult result;
  result.namespaces = options.namespaces;
  result.several_contexts = clusters.size() > 1;
  result.meshca_rule = recognizer.description();
  result.rule_is_subject_cn = recognizer.rule() == MeshCaRecognizer::Rule::subject_cn;

  std::vector<Job> jobs;
  std::vector<std::unique_ptr<DumpFetcher>> owned;
  std::vector<DumpFetcher*> fetchers;
  std::vector<AnalysisSettings> settings;
  ChainPool chains;
  const WantClusters want = options.trust_domain ? WantClusters::yes : WantClusters::no;
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    result.contexts.push_back(clusters[c].context);
    settings.push_back(analysis_settings(
        options, cluster_trust_domain_owners(clusters[c], options, result.warnings), chains));
    if (clusters[c].fetcher != nullptr) {
      fetchers.push_back(clusters[c].fetcher);
    } else {
      KubectlRunner& kubectl = *clusters[c].kubectl;
      const auto timeout = options.exec_timeout;
      owned.push_back(sidecar_dump_fetcher(
          want, [&kubectl, timeout](AdminRequest request) -> std::unique_ptr<DumpFetcher> {
            return std::make_unique<KubectlExecFetcher>(kubectl, std::move(request), timeout);
          }));
      fetchers.push_back(owned.back().get());
    }
    auto selection = list_cluster_sidecars(clusters[c], options.namespaces, options.selector);
    if (!selection) {
      if (selection.error().status == ExitStatus::bad_input || clusters.size() == 1)
        return selection.error();
      result.cluster_errors.push_back(
          (clusters[c].context.empty() ? "" : "context \"" + clusters[c].context + "\": ") +
          selection.error().message);
      continue;
    }
    result.skipped.not_running += selection->not_running;
    result.skipped.without_sidecar += selection->without_sidecar;
    for (SidecarPod& pod : selection->sidecars)
      jobs.push_back({c, std::move(pod)});
  }
  if (!clusters.empty() && result.cluster_errors.size() == clusters.size())
    return cluster_error(result.cluster_errors.front());

  fetch_and_analyze(jobs, fetchers, settings, options, recognizer, clusters, cancel, result.pods);
  drop_stopped_pods(jobs, clusters, options, cancel, result);
  std::stable_sort(result.pods.begin(), result.pods.end(),
                   [](const PodReport& a, const PodReport& b) {
                     return std::tie(a.context, a.ns, a.name) < std::tie(b.context, b.ns, b.name);
                   });
  if (options.mtls)
    result.mtls = build_mtls_matrix(result.pods, std::chrono::system_clock::now());
  apply_gates(options, result);
  return result;
}

Result<CheckRootResult> check_dump_files(const CheckRootOptions& options,
                                         const MeshCaRecognizer& recognizer) {
  CheckRootResult result;
  result.meshca_rule = recognizer.description();
  result.rule_is_subject_cn = recognizer.rule() == MeshCaRecognizer::Rule::subject_cn;
  TrustBundleCache bundles(recognizer);
  // Offline there is no mesh config to read: Citadel's trust domain is taken to be cluster.local.
  ChainPool chains;
  const AnalysisSettings settings = analysis_settings(options, {}, chains);
  for (const std::string& file : options.config_dumps) {
    std::string text;
    if (file == "-") {
      // Read in chunks, stopping one byte past the cap: a runaway pipe cannot exhaust memory.
      std::array<char, 1 << 16> chunk{};
      while (text.size() <= mesh::kMaxConfigDumpBytes &&
             std::cin.read(chunk.data(), chunk.size()).gcount() > 0)
        text.append(chunk.data(), static_cast<std::size_t>(std::cin.gcount()));
      if (text.size() > mesh::kMaxConfigDumpBytes)
        return bad_input("--config-dump -: standard input is more than the limit of " +
                         mesh::format_byte_size(mesh::kMaxConfigDumpBytes) +
                         "; is it an Envoy config dump?");
    } else {
      std::ifstream in(file, std::ios::binary);
      if (!in)
        return bad_input("--config-dump \"" + file + "\": cannot read the file");
      std::ostringstream buffer;
      buffer << in.rdbuf();
      text = buffer.str();
    }
    PodReport report;
    report.ns = "file";
    report.name = file == "-" ? "stdin" : file;
    analyze_dump(text, bundles, settings, report);
    if (report.failed() && report.error.find("invalid JSON") != std::string::npos)
      return bad_input("--config-dump \"" + file + "\": " + report.error);
    result.pods.push_back(std::move(report));
  }
  if (options.mtls)
    result.mtls = build_mtls_matrix(result.pods, std::chrono::system_clock::now());
  apply_gates(options, result);
  return result;
}

void apply_gates(const CheckRootOptions& options, CheckRootResult& result) {
  ExitStatus status = ExitStatus::ok;
  auto fail = [&](std::string why) {
    result.gate_failures.push_back(std::move(why));
    status = worst(status, ExitStatus::check_failed);
  };
  for (const PodReport& pod : result.pods) {
    if (pod.failed())
      continue;
    const std::string id = pod.name + "." + pod.ns;
    if (options.workload_cert) {
      if (!pod.workload)
        fail(id + " has no workload certificate");
      else if (!pod.workload->issuer)
        fail(id + ": no root it trusts verifies its certificate");
      else if (!pod.workload->issuer_error.empty())
        fail(id + ": " + pod.workload->issuer_error);
      else if (!options.require.empty() &&
               std::find(options.require.begin(), options.require.end(), *pod.workload->issuer) ==
                   options.require.end())
        fail(id + " is using a certificate issued by [" +
             std::string(to_string(*pod.workload->issuer)) + "]");
    } else if (!options.require.empty() && !pod.trusts.has_all(options.require)) {
      fail(id + " trusts " + pod.trusts.label());
    }
    for (CaClass ca : options.forbid) {
      if (pod.trusts.has(ca))
        fail(id + " still trusts " + std::string(to_string(ca)));
    }
    if (options.trust_domain && !pod.trust_domains_known)
      fail(id + ": its config dump has no clusters or listeners, so the trust domains it accepts "
                "are unknown; save the whole dump (pilot-agent request GET config_dump)");
    else if (options.trust_domain && !pod.missing_trust_domains().empty())
      fail(id + " is MISSING trust domain for " + pod.missing_trust_domains().label());
  }
  if (result.mtls && !result.mtls->all_can_talk())
    fail("some sidecar groups cannot authenticate each other (see the mTLS matrix)");
  const bool any_failed_pod = std::any_of(result.pods.begin(), result.pods.end(),
                                          [](const PodReport& pod) { return pod.failed(); });
  if (any_failed_pod || !result.cluster_errors.empty())
    status = worst(status, ExitStatus::cluster_error);
  result.status = status;
}

} // namespace meshca
