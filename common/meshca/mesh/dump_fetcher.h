#pragma once
// Where pods and config dumps come from: a live proxy through `kubectl exec ... pilot-agent
// request` (one kubectl process per pod), or through one `kubectl proxy` spoken to in process
// (ApiClient); or saved files (offline checks for support cases).

#include "meshca/kube/api_client_exec.h"
#include "meshca/kube/kubectl.h"
#include "meshca/kube/proxy_process.h"
#include "meshca/mesh/config_dump.h"
#include "meshca/mesh/config_dump_clusters.h"
#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/chunk_source.h"
#include "meshca/util/result.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshca {

class DumpFetcher {
 public:
  virtual ~DumpFetcher() = default;
  // The dump text of one pod's proxy; an error names the pod and the reason. Thread-safe.
  virtual Result<std::string> fetch(const SidecarPod& pod) = 0;

  // The same answer handed to `read` piece by piece as it arrives, on the calling thread, so it
  // can be parsed and dropped instead of held whole. The fetch's own failure comes first, then
  // what `read` returned. By default: fetch() whole, as one piece.
  virtual Status fetch_streamed(const SidecarPod& pod,
                                const std::function<Status(ChunkSource&)>& read);

  // What check-root learns from the proxy (config_dump.h). By default: fetch() parsed.
  virtual Result<mesh::ProxyTlsState> read_tls_state(const SidecarPod& pod);

 protected:
  DumpFetcher() = default;
  DumpFetcher(const DumpFetcher&) = default;
  DumpFetcher& operator=(const DumpFetcher&) = default;
};

enum class WantClusters { no, yes };

// The admin paths of what check-root reads (docs/performance.md has the Envoy versions).
// The secrets, active and warming: `mask` keeps those fields of the SecretsConfigDump. Envoy
// applies a mask to each top-level dump and drops the dumps it does not fit (since 1.19; before,
// they came back empty), so a mask must name fields of one dump type only: secrets and clusters
// in one mask fit no dump, and Envoy answers 400.
inline constexpr std::string_view kSecretsDumpPath =
    "config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets";
// What --trust-domain reads besides the secrets: each dynamic cluster reduced to its TLS
// settings (`resource` with `mask`, Envoy 1.13+), a tenth of the whole clusters dump or less.
inline constexpr std::string_view kTlsClustersDumpPath =
    "config_dump?resource=dynamic_active_clusters"
    "&mask=cluster.transport_socket,cluster.transport_socket_matches";
// The fallback when that is refused: the clusters dump (what istioctl 1.25+ reads for
// proxy-config cluster).
inline constexpr std::string_view kClustersDumpPath =
    "config_dump?mask=dynamic_active_clusters,static_clusters";

// One GET to a sidecar's admin API through `pilot-agent request`: the path (with its query), the
// agent's flags before it (e.g. --debug-port 15020 for the agent's own endpoint), and what the
// read is, for messages ("reading the proxy's config dump").
struct AdminRequest {
  std::string path;
  std::vector<std::string> agent_flags;
  std::string what = "reading the proxy's config dump";

  static AdminRequest dump(std::string_view path) {
    AdminRequest request;
    request.path = std::string(path);
    return request;
  }
  static AdminRequest secrets_dump() { return dump(kSecretsDumpPath); }
};

class KubectlExecFetcher final : public DumpFetcher {
 public:
  KubectlExecFetcher(KubectlRunner& kubectl, AdminRequest request,
                     std::chrono::milliseconds timeout)
      : kubectl_(kubectl), request_(std::move(request)), timeout_(timeout) {}

  Result<std::string> fetch(const SidecarPod& pod) override;

  // The kubectl arguments for one pod (exposed for tests).
  std::vector<std::string> exec_args(const SidecarPod& pod) const;

 private:
  KubectlRunner& kubectl_;
  AdminRequest request_;
  std::chrono::milliseconds timeout_;
};

// Lists the sidecar pods check-root reads.
class PodLister {
 public:
  virtual ~PodLister() = default;
  // The pods of `namespaces` (empty: every namespace but the system ones) matching the label
  // `selector` ("" = all). bad_input when a named namespace does not exist; cluster_error when
  // the pods cannot be listed.
  virtual Result<PodSelection> list(const std::vector<std::string>& namespaces,
                                    const std::string& selector) = 0;

 protected:
  PodLister() = default;
  PodLister(const PodLister&) = default;
  PodLister& operator=(const PodLister&) = default;
};

class ApiClient;
class ProxiedReads;

// --trust-domain's read of one sidecar: the secrets and the clusters' TLS settings, both at once
// (falling back to the clusters dump for a proxy that refuses `resource`, and remembering that
// for the rest). read_tls_state parses the clusters' answer as it streams in
// (config_dump_clusters.h) and merges it with the parsed secrets; fetch returns both answers as
// one document {"configs":[SECRETS,CLUSTERS]} that parse_config_dump reads whole, to the same
// result. Called from several threads; the readers must be thread-safe.
class TrustDomainDumpFetcher final : public DumpFetcher {
 public:
  struct Readers {
    std::unique_ptr<DumpFetcher> secrets;      // kSecretsDumpPath
    std::unique_ptr<DumpFetcher> tls_clusters; // kTlsClustersDumpPath
    std::unique_ptr<DumpFetcher> clusters;     // kClustersDumpPath
  };
  explicit TrustDomainDumpFetcher(Readers readers);
  Result<std::string> fetch(const SidecarPod& pod) override;
  Result<mesh::ProxyTlsState> read_tls_state(const SidecarPod& pod) override;

 private:
  // The clusters' trust domains from `reader`, streamed; refusal set when it refused.
  Result<mesh::ClusterTrustDomains> read_clusters(DumpFetcher& reader, const SidecarPod& pod);
  // The secrets' text and the clusters' answer, read at once (dump_fetcher.cpp).
  template <class Answer, class Read>
  Result<std::pair<std::string, Answer>> read_both(const SidecarPod& pod, Read read);

  Readers readers_;
  std::atomic<bool> tls_clusters_refused_{false};
};

// What check-root reads from a sidecar: its secrets, and with WantClusters::yes its clusters'
// TLS settings too (TrustDomainDumpFetcher). `make` builds the fetcher of one admin request.
std::unique_ptr<DumpFetcher>
sidecar_dump_fetcher(WantClusters clusters,
                     const std::function<std::unique_ptr<DumpFetcher>(AdminRequest)>& make);

// One exec per pod over WebSocket through the client.
class ApiExecFetcher final : public DumpFetcher {
 public:
  ApiExecFetcher(ApiClient& api, AdminRequest request, std::chrono::milliseconds timeout)
      : api_(api), request_(std::move(request)), timeout_(timeout) {}
  Result<std::string> fetch(const SidecarPod& pod) override;
  Status fetch_streamed(const SidecarPod& pod,
                        const std::function<Status(ChunkSource&)>& read) override;

 private:
  std::string target(const SidecarPod& pod) const;
  // The pod's error for an exec that ran: its exit code and what it said.
  Status check_exit(const SidecarPod& pod, const ExecOutput& output) const;

  ApiClient& api_;
  AdminRequest request_;
  std::chrono::milliseconds timeout_;
};

// Pages of 500 pods (limit/continue), each reduced to its sidecars before the next is read
// (read_pod_pages: an expired continue token starts the list over, once).
class ApiPodLister final : public PodLister {
 public:
  ApiPodLister(ApiClient& api, std::chrono::milliseconds timeout) : api_(api), timeout_(timeout) {}
  Result<PodSelection> list(const std::vector<std::string>& namespaces,
                            const std::string& selector) override;

 private:
  Status check_namespace(const std::string& ns);
  ApiClient& api_;
  std::chrono::milliseconds timeout_;
};

// --transport: `proxy` (one kubectl proxy, HTTP and WebSocket in process), `exec` (one kubectl
// exec per pod), `automatic` (the proxy, else exec).
enum class Transport { automatic, proxy, exec };

// "auto", "proxy" or "exec"; bad_input naming the valid values otherwise.
Result<Transport> parse_transport(std::string_view text);

// What one cluster is read through. Null fetcher and lister mean kubectl (list and exec).
struct ClusterReaders {
  std::unique_ptr<KubectlProxy> proxy;
  std::unique_ptr<ApiClient> api;
  std::unique_ptr<DumpFetcher> fetcher;
  std::unique_ptr<PodLister> lister;

  ClusterReaders();
  ClusterReaders(ClusterReaders&&) noexcept;
  ClusterReaders& operator=(ClusterReaders&&) noexcept;
  ~ClusterReaders(); // the client first, then the proxy
};

struct ReaderSettings {
  Transport transport = Transport::automatic;
  ProxyStartOptions proxy; // kubectl, connection flags, -v
  WantClusters clusters = WantClusters::no;
  std::optional<AdminRequest> request;      // what the fetcher reads; default the config dump
  std::chrono::milliseconds timeout{60000}; // per exec and per list page
  // What the note of Transport::automatic says is done instead when the proxy cannot start.
  std::string instead = "reading each sidecar with its own kubectl exec instead (--transport exec)";
};

// Opens the transport. Transport::exec gives empty readers. Transport::proxy fails
// (cluster_error) when the proxy cannot start. Transport::automatic falls back to empty readers
// and prints a one-line note saying why on `notes`.
Result<ClusterReaders> open_cluster_readers(const ReaderSettings& settings, std::ostream& notes);

// A fetcher for `request` over the cluster's transport: the readers' client when it has one,
// else one kubectl exec per pod through `kubectl`.
std::unique_ptr<DumpFetcher> admin_fetcher(const ClusterReaders& readers, KubectlRunner& kubectl,
                                           AdminRequest request, std::chrono::milliseconds timeout);

// `kubectl`'s lists through the readers' client (kube/proxied_reads.h), each bounded by the
// connection's --request-timeout or else `otherwise`; null when the proxy did not start (every
// read then runs its own kubectl).
std::unique_ptr<ProxiedReads> proxied_reads_for(const ClusterReaders& readers, Kubectl& kubectl,
                                                const ConnectionFlags& flags,
                                                std::chrono::milliseconds otherwise);

} // namespace meshca
