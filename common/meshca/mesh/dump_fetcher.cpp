#include "meshca/mesh/dump_fetcher.h"

#include "meshca/kube/api_client.h"
#include "meshca/kube/api_client_paths.h"
#include "meshca/kube/connection_flags.h"
#include "meshca/kube/proxied_reads.h"
#include "meshca/mesh/pod_pager.h"
#include "meshca/util/interrupt.h"
#include "meshca/util/words.h"

#include <algorithm>
#include <future>
#include <iterator>
#include <ostream>
#include <system_error>

namespace meshca {

namespace {

// A refusal by the proxy's admin API (pilot-agent: "received unsuccessful status code 400"), or
// an answer that is no JSON document (404 is printed as text with exit 0): not a broken exec.
bool refused(const Result<std::string>& answer) {
  if (!answer)
    return answer.error().message.find("unsuccessful status code") != std::string::npos;
  const std::size_t start = answer->find_first_not_of(" \t\r\n");
  return start == std::string::npos || (*answer)[start] != '{';
}

std::string pod_what(const SidecarPod& pod) {
  return "pod \"" + pod.ns + "/" + pod.name + "\"";
}

bool refused(const Result<mesh::ClusterTrustDomains>& answer) {
  if (!answer)
    return answer.error().message.find("unsuccessful status code") != std::string::npos;
  return answer->refusal.has_value();
}

} // namespace

Status DumpFetcher::fetch_streamed(const SidecarPod& pod,
                                   const std::function<Status(ChunkSource&)>& read) {
  MESHCA_TRY_ASSIGN(auto text, fetch(pod));
  WholeText source(text);
  return read(source);
}

Result<mesh::ProxyTlsState> DumpFetcher::read_tls_state(const SidecarPod& pod) {
  MESHCA_TRY_ASSIGN(auto text, fetch(pod));
  return mesh::parse_config_dump_owned(std::move(text), pod_what(pod));
}

TrustDomainDumpFetcher::TrustDomainDumpFetcher(Readers readers) : readers_(std::move(readers)) {}

Result<mesh::ClusterTrustDomains> TrustDomainDumpFetcher::read_clusters(DumpFetcher& reader,
                                                                        const SidecarPod& pod) {
  Result<mesh::ClusterTrustDomains> read = mesh::ClusterTrustDomains{};
  const Status fetched = reader.fetch_streamed(pod, [&](ChunkSource& answer) -> Status {
    read = mesh::read_cluster_trust_domains(answer, pod_what(pod));
    return read ? done() : read.error();
  });
  if (!fetched)
    return fetched.error();
  return read;
}

// Both reads of a sidecar: the secrets' text and the clusters' answer as `read` gives it
// (Answer: the text, or its streamed trust domains). They go out together, so a pod takes as long
// as the slower of them rather than both; that helps where exec latency dominates, not where CPU
// does (docs/performance.md). A refused TLS-settings read falls back to the clusters dump, and
// the refusal is remembered for the other pods.
template <class Answer, class Read>
Result<std::pair<std::string, Answer>> TrustDomainDumpFetcher::read_both(const SidecarPod& pod,
                                                                         Read read) {
  const bool ask_tls = !tls_clusters_refused_.load();
  std::future<Result<Answer>> tls;
  if (ask_tls) {
    try {
      tls = std::async(std::launch::async,
                       [this, &pod, &read] { return read(*readers_.tls_clusters, pod); });
    } catch (const std::system_error&) {
      // no thread to spare: read it after the secrets instead
    }
  }
  auto secrets = readers_.secrets->fetch(pod);
  Result<Answer> clusters = Answer{};
  bool have_clusters = false;
  if (ask_tls) {
    clusters = tls.valid() ? tls.get() : read(*readers_.tls_clusters, pod);
    have_clusters = !refused(clusters);
    if (!have_clusters)
      tls_clusters_refused_ = true; // an older proxy: the same answer for every pod
  }
  if (!secrets)
    return secrets.error();
  if (!have_clusters)
    clusters = read(*readers_.clusters, pod);
  if (!clusters)
    return clusters.error();
  return std::pair<std::string, Answer>(std::move(*secrets), std::move(*clusters));
}

Result<mesh::ProxyTlsState> TrustDomainDumpFetcher::read_tls_state(const SidecarPod& pod) {
  // The clusters' answer is parsed as it arrives and dropped.
  MESHCA_TRY_ASSIGN(auto both, read_both<mesh::ClusterTrustDomains>(
                                   pod, [this](DumpFetcher& reader, const SidecarPod& p) {
                                     return read_clusters(reader, p);
                                   }));
  auto& [secrets, clusters] = both;
  if (clusters.refusal) // only the fallback's refusal is left: nothing more to ask
    return cluster_error(pod_what(pod) + ": reading the proxy's clusters: the admin API answered " +
                         double_quoted(*clusters.refusal) + " where a config dump was expected");
  MESHCA_TRY_ASSIGN(auto state, mesh::parse_config_dump_owned(std::move(secrets), pod_what(pod)));
  std::vector<std::string> merged;
  std::set_union(state.trust_domains.begin(), state.trust_domains.end(),
                 clusters.trust_domains.begin(), clusters.trust_domains.end(),
                 std::back_inserter(merged));
  state.trust_domains = std::move(merged);
  state.has_clusters_or_listeners =
      state.has_clusters_or_listeners || clusters.has_clusters_or_listeners;
  return state;
}

Result<std::string> TrustDomainDumpFetcher::fetch(const SidecarPod& pod) {
  MESHCA_TRY_ASSIGN(auto both,
                    read_both<std::string>(pod, [](DumpFetcher& reader, const SidecarPod& p) {
                      return reader.fetch(p);
                    }));
  // Around the clusters' answer (up to a megabyte) rather than into a copy of it.
  std::string combined = std::move(both.second);
  combined.insert(0, "{\"configs\":[" + both.first + ",");
  combined.append("]}");
  return combined;
}

std::unique_ptr<DumpFetcher>
sidecar_dump_fetcher(WantClusters clusters,
                     const std::function<std::unique_ptr<DumpFetcher>(AdminRequest)>& make) {
  if (clusters == WantClusters::no)
    return make(AdminRequest::secrets_dump());
  return std::make_unique<TrustDomainDumpFetcher>(TrustDomainDumpFetcher::Readers{
      make(AdminRequest::secrets_dump()), make(AdminRequest::dump(kTlsClustersDumpPath)),
      make(AdminRequest::dump(kClustersDumpPath))});
}

std::vector<std::string> KubectlExecFetcher::exec_args(const SidecarPod& pod) const {
  std::vector<std::string> args = {"exec",   "--namespace", pod.ns,
                                   pod.name, "--container", "istio-proxy",
                                   "--",     "pilot-agent", "request"};
  args.insert(args.end(), request_.agent_flags.begin(), request_.agent_flags.end());
  args.insert(args.end(), {"GET", request_.path});
  return args;
}

Result<std::string> KubectlExecFetcher::fetch(const SidecarPod& pod) {
  const auto args = exec_args(pod);
  const std::string what = "pod \"" + pod.ns + "/" + pod.name + "\": " + request_.what;
  // kubectl's WebSocket client registers its streams after it starts reading, so an answer that
  // comes first is dropped ("Unknown stream id 1, discarding message"): the exec then succeeds
  // with no output, or fails with "closed all streams" when the close frame wins too. An admin
  // answer is never empty and the request only reads, so such a race is tried again, twice at
  // most.
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    auto output = run_checked(kubectl_, args, what, std::nullopt, timeout_);
    const bool raced = output
                           ? output->out.empty()
                           : output.error().message.find("Unknown stream id") != std::string::npos;
    if (!raced || attempt == kAttempts) {
      if (!output)
        return output.error();
      return std::move(output->out);
    }
  }
}

namespace {

std::string pod_what(const SidecarPod& pod, const AdminRequest& request) {
  return pod_what(pod) + ": " + request.what;
}

std::vector<std::string> agent_command(const AdminRequest& request) {
  std::vector<std::string> command = {"pilot-agent", "request"};
  command.insert(command.end(), request.agent_flags.begin(), request.agent_flags.end());
  command.insert(command.end(), {"GET", request.path});
  return command;
}

} // namespace

std::string ApiExecFetcher::target(const SidecarPod& pod) const {
  return exec_target(pod.ns, pod.name, "istio-proxy", agent_command(request_));
}

Status ApiExecFetcher::check_exit(const SidecarPod& pod, const ExecOutput& output) const {
  if (output.exit_code == 0)
    return done();
  const std::string said = trim_kubectl_stderr(output.err);
  const auto command = agent_command(request_);
  std::string line;
  for (std::size_t i = 2; i < command.size(); ++i)
    line += " " + command[i];
  return cluster_error(pod_what(pod, request_) + ": " + (said.empty() ? "" : said + "; ") +
                       "command terminated with exit code " + std::to_string(output.exit_code) +
                       " (pilot-agent request" + line + ")");
}

Result<std::string> ApiExecFetcher::fetch(const SidecarPod& pod) {
  auto output = api_.exec(target(pod), timeout_);
  if (!output)
    return cluster_error(pod_what(pod, request_) + ": " + output.error().message +
                         " (exec through kubectl proxy)");
  MESHCA_TRY(check_exit(pod, *output));
  return std::move(output->out);
}

Status ApiExecFetcher::fetch_streamed(const SidecarPod& pod,
                                      const std::function<Status(ChunkSource&)>& read) {
  Status read_status = done();
  auto output =
      api_.exec_streamed(target(pod), timeout_, [&](ChunkSource& out) { read_status = read(out); });
  if (!output)
    return cluster_error(pod_what(pod, request_) + ": " + output.error().message +
                         " (exec through kubectl proxy)");
  MESHCA_TRY(check_exit(pod, *output));
  return read_status;
}

Status ApiPodLister::check_namespace(const std::string& ns) {
  MESHCA_TRY_ASSIGN(auto response, api_.get(namespace_target(ns), timeout_));
  if (response.status == 404)
    return bad_input("namespaces \"" + ns +
                     "\" not found; check the name with kubectl get namespaces");
  if (response.status != 200)
    return cluster_error("namespace \"" + ns + "\": " + api_status_message(response.body) +
                         " (HTTP " + std::to_string(response.status) + ")" +
                         response.attempts_note);
  return done();
}

Result<PodSelection> ApiPodLister::list(const std::vector<std::string>& namespaces,
                                        const std::string& selector) {
  std::vector<PodListQuery> listings;
  if (namespaces.empty())
    listings.push_back(PodListQuery{std::nullopt, selector, 500, ""});
  for (const std::string& ns : namespaces) {
    MESHCA_TRY(check_namespace(ns));
    listings.push_back(PodListQuery{ns, selector, 500, ""});
  }
  const ReadPodPage read = [this](const PodListQuery& query) -> Result<PodPage> {
    const std::string target = pod_list_target(query);
    auto response = api_.get(target, timeout_);
    if (!response)
      return cluster_error("listing pods: " + response.error().message);
    if (response->status == 410 && !query.continue_token.empty())
      return PodPage{true, ""};
    if (response->status != 200)
      return cluster_error("listing pods: " + api_status_message(response->body) + " (GET " +
                           target + ", HTTP " + std::to_string(response->status) + ")" +
                           response->attempts_note);
    return PodPage{false, std::move(response->body)};
  };
  return read_pod_pages(listings, namespaces.empty(), read);
}

Result<Transport> parse_transport(std::string_view text) {
  if (text == "auto")
    return Transport::automatic;
  if (text == "proxy")
    return Transport::proxy;
  if (text == "exec")
    return Transport::exec;
  return bad_input("--transport \"" + std::string(text) + "\": expected auto, proxy or exec");
}

ClusterReaders::ClusterReaders() = default;
ClusterReaders::ClusterReaders(ClusterReaders&&) noexcept = default;
ClusterReaders& ClusterReaders::operator=(ClusterReaders&&) noexcept = default;
ClusterReaders::~ClusterReaders() {
  lister.reset();
  fetcher.reset();
  api.reset(); // its I/O thread ends before the proxy goes
  proxy.reset();
}

Result<ClusterReaders> open_cluster_readers(const ReaderSettings& settings, std::ostream& notes) {
  ClusterReaders readers;
  if (settings.transport == Transport::exec)
    return readers;
  auto proxy = KubectlProxy::start(settings.proxy);
  if (!proxy) {
    const std::string context =
        settings.proxy.flags.context ? "context \"" + *settings.proxy.flags.context + "\": " : "";
    if (settings.transport == Transport::proxy)
      return cluster_error(context + proxy.error().message +
                           " (--transport proxy; --transport exec "
                           "reads each sidecar with its own kubectl exec instead)");
    notes << "note: " << context << proxy.error().message << "; " << settings.instead << '\n';
    return readers;
  }
  readers.proxy = std::move(*proxy);
  ApiClientOptions options;
  options.cancel = &interrupt_flag();
  if (settings.proxy.verbose == Verbose::yes)
    options.echo = settings.proxy.echo;
  readers.api = std::make_unique<ApiClient>(readers.proxy->socket_path(), options);
  ApiClient& api = *readers.api;
  const auto timeout = settings.timeout;
  auto make = [&api, timeout](AdminRequest request) -> std::unique_ptr<DumpFetcher> {
    return std::make_unique<ApiExecFetcher>(api, std::move(request), timeout);
  };
  readers.fetcher =
      settings.request ? make(*settings.request) : sidecar_dump_fetcher(settings.clusters, make);
  readers.lister = std::make_unique<ApiPodLister>(*readers.api, settings.timeout);
  return readers;
}

std::unique_ptr<DumpFetcher> admin_fetcher(const ClusterReaders& readers, KubectlRunner& kubectl,
                                           AdminRequest request,
                                           std::chrono::milliseconds timeout) {
  if (readers.api)
    return std::make_unique<ApiExecFetcher>(*readers.api, std::move(request), timeout);
  return std::make_unique<KubectlExecFetcher>(kubectl, std::move(request), timeout);
}

std::unique_ptr<ProxiedReads> proxied_reads_for(const ClusterReaders& readers, Kubectl& kubectl,
                                                const ConnectionFlags& flags,
                                                std::chrono::milliseconds otherwise) {
  if (!readers.api)
    return nullptr;
  return std::make_unique<ProxiedReads>(kubectl, *readers.api,
                                        list_request_timeout(flags, otherwise));
}

} // namespace meshca
