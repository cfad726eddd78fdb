#include "meshca/checks/traffic_explain.h"

#include "meshca/checks/check_root.h"
#include "meshca/checks/pod_analysis.h"
#include "meshca/mesh/proxy_traffic.h"
#include "meshca/mesh/trust_bundle_cache.h"
#include "meshca/mesh/trust_domain_owners.h"
#include "meshca/util/json.h"
#include "meshca/util/worker_pool.h"

#include <map>
#include <optional>

namespace meshca {
namespace {

constexpr std::size_t kPodsPerSide = 2; // enough to see a split workload, cheap on any mesh
constexpr std::string_view kClusterSuffix = ".svc.cluster.local";

struct Side {
  std::vector<PodReport> pods; // analysed, with their chains
  std::string problem;         // why no pod of this side could be analysed
};

// "httpbin.backend.svc.cluster.local" → {"httpbin", "backend"}; nullopt for other hosts.
std::optional<std::pair<std::string, std::string>> service_of(const std::string& fqdn) {
  if (fqdn.size() <= kClusterSuffix.size() ||
      fqdn.compare(fqdn.size() - kClusterSuffix.size(), kClusterSuffix.size(), kClusterSuffix) != 0)
    return std::nullopt;
  const std::string name_ns = fqdn.substr(0, fqdn.size() - kClusterSuffix.size());
  const std::size_t dot = name_ns.find('.');
  if (dot == std::string::npos || name_ns.find('.', dot + 1) != std::string::npos)
    return std::nullopt;
  return std::make_pair(name_ns.substr(0, dot), name_ns.substr(dot + 1));
}

// The Service's selector as a label selector ("app=httpbin,version=v1").
Result<std::string> service_selector(KubectlRunner& kubectl, const std::string& name,
                                     const std::string& ns) {
  MESHCA_TRY_ASSIGN(auto doc,
                    get_json(kubectl, {"get", "service", name, "--namespace", ns, "-o", "json"},
                             "service \"" + ns + "/" + name + "\""));
  const rapidjson::Value* spec = json::member(doc, "spec");
  const rapidjson::Value* selector = spec ? json::member(*spec, "selector") : nullptr;
  std::string text;
  if (selector != nullptr && selector->IsObject())
    for (const auto& m : selector->GetObject())
      if (m.value.IsString())
        text +=
            (text.empty() ? "" : ",") + std::string(m.name.GetString()) + "=" + m.value.GetString();
  if (text.empty())
    return cluster_error("service \"" + ns + "/" + name + "\" has no selector");
  return text;
}

Side analyze(const std::vector<SidecarPod>& pods, DumpFetcher& dumps, TrustBundleCache& bundles,
             const AnalysisSettings& settings, const std::atomic<bool>* cancel) {
  Side side;
  std::vector<PodReport> reports(std::min(pods.size(), kPodsPerSide));
  parallel_for(
      reports.size(), reports.size(),
      [&](std::size_t i) {
        reports[i].ns = pods[i].ns;
        reports[i].name = pods[i].name;
        analyze_tls_state(dumps.read_tls_state(pods[i]), bundles, settings, reports[i]);
      },
      cancel);
  for (PodReport& report : reports) {
    if (report.failed() || !report.workload || !report.workload->certificates ||
        report.workload->certificates->empty())
      side.problem = report.failed() ? report.error
                                     : report.ns + "/" + report.name +
                                           " has no workload "
                                           "certificate";
    else
      side.pods.push_back(std::move(report));
  }
  if (pods.empty())
    side.problem = "no running sidecar pod";
  return side;
}

std::string issuer_label(const PodReport& pod) {
  return pod.workload && pod.workload->issuer
             ? "[" + std::string(to_string(*pod.workload->issuer)) + "]"
             : "[unknown issuer]";
}

// Why `client` and `server` cannot set up mTLS, in the client's words first.
std::vector<std::string> reasons(const PodReport& client, const PodReport& server) {
  std::vector<std::string> why;
  if (!x509::verify_chain(*server.workload->certificates, client.bundle_certificates()))
    why.push_back("client does not trust the server's root");
  if (!x509::verify_chain(*client.workload->certificates, server.bundle_certificates()))
    why.push_back("server does not trust the client's root");
  const auto accepts = [](const PodReport& pod, const PodReport& peer) {
    return !pod.trust_domains_known || !peer.workload->issuer ||
           pod.trust_domain_cas.has(*peer.workload->issuer);
  };
  if (!accepts(client, server))
    why.push_back("client does not accept the server's trust domain");
  if (!accepts(server, client))
    why.push_back("server does not accept the client's trust domain");
  return why;
}

std::string explain(const TrafficPair& pair, const Side& client, const Side& server) {
  const std::string from = pair.source() + " ";
  const std::string to = short_service_name(pair.destination);
  if (client.pods.empty())
    return pair.source() + " → " + to + ": its certificates could not be read (" + client.problem +
           ")";
  if (server.pods.empty())
    return from + client.pods.front().trusts.label() + " → " + to +
           ": the server's certificates could not be read (" + server.problem + ")";
  // The first client/server combination with a reason speaks for the pair.
  for (const PodReport& c : client.pods)
    for (const PodReport& s : server.pods)
      if (auto why = reasons(c, s); !why.empty()) {
        std::string text;
        for (const std::string& reason : why)
          text += (text.empty() ? "" : "; ") + reason;
        return from + c.trusts.label() + " → " + to + " issued by " + issuer_label(s) + ": " + text;
      }
  const PodReport& c = client.pods.front();
  const PodReport& s = server.pods.front();
  return from + c.trusts.label() + " → " + to + " issued by " + issuer_label(s) +
         ": the certificates agree now (each side trusts the other's root and trust domain); the "
         "failures predate a fix or are not about trust: read the client's proxy log for the "
         "TLS error";
}

} // namespace

void explain_failing_pairs(TrafficComparison& comparison, const std::vector<ExplainTarget>& targets,
                           const std::vector<SidecarPod>& read_pods,
                           const MeshCaRecognizer& recognizer, const std::atomic<bool>* cancel) {
  TrustBundleCache bundles(recognizer);
  std::map<std::string, AnalysisSettings> settings;            // per context
  std::map<std::pair<std::string, std::string>, Side> servers; // (context, fqdn)
  for (TrafficPair& pair : comparison.pairs) {
    if (pair.failures() <= 0 || (cancel != nullptr && cancel->load()))
      continue;
    const ExplainTarget* target = nullptr;
    for (const ExplainTarget& t : targets)
      if (t.context == pair.context)
        target = &t;
    if (target == nullptr || target->kubectl == nullptr || target->dumps == nullptr)
      continue;
    if (!settings.count(pair.context)) {
      AnalysisSettings s;
      s.keep_chain = true;
      if (auto owners = read_trust_domain_owners(*target->kubectl))
        s.trust_domain_owners = std::move(*owners);
      settings[pair.context] = std::move(s);
    }
    const AnalysisSettings& analysis = settings[pair.context];
    auto server_key = std::make_pair(pair.context, pair.destination);
    if (!servers.count(server_key)) {
      Side side;
      if (auto service = service_of(pair.destination); !service) {
        side.problem = pair.destination + " is not a service of this cluster";
      } else if (auto selector =
                     service_selector(*target->kubectl, service->first, service->second);
                 !selector) {
        side.problem = selector.error().message;
      } else {
        ClusterTarget cluster{target->context, target->kubectl, target->lister, nullptr};
        auto selection = list_cluster_sidecars(cluster, {service->second}, *selector);
        if (!selection)
          side.problem = selection.error().message;
        else
          side = analyze(selection->sidecars, *target->dumps, bundles, analysis, cancel);
      }
      servers[server_key] = std::move(side);
    }
    std::vector<SidecarPod> client_pods;
    for (const SidecarPod& pod : read_pods)
      for (const std::string& name : pair.source_pods)
        if (name == pod.ns + "/" + pod.name && client_pods.size() < kPodsPerSide)
          client_pods.push_back(pod);
    const Side client = analyze(client_pods, *target->dumps, bundles, analysis, cancel);
    pair.explanation = explain(pair, client, servers[server_key]);
  }
}

} // namespace meshca
