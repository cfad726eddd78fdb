#pragma once
// Config dumps per pod, fast: everything that does not depend on the pod itself is rendered
// once and cached as text (clusters/listeners/routes per trust-domain set, secrets per
// identity), so serving a 1 MB dump is a few string copies. Thread-safe.

#include "mesh/ca_mode.h"
#include "mesh/dump_query.h"
#include "mesh/envoy_dump.h"
#include "mesh/pki.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sim::mesh {

// What a pod's dump depends on.
struct ProxyFacts {
  CaMode mode = CaMode::citadel;
  std::string revision;
  std::string ns, service_account, pod_name, pod_ip, node_name, workload, owner;
  std::string labels_json = "{}";
  std::string istio_version;
  std::vector<std::string> trust_domain_aliases;
  Omissions omitted; // what the injecting revision's install left out (its bundle, its SANs)
  bool gateway = false;
  bool old_proxy = false; // ignores resource= and mask= (Envoy before 1.13)
};

struct DumpSettings {
  std::string citadel_trust_domain;
  std::string meshca_trust_domain;
  int outbound_clusters = 24;
  std::vector<MeshService> services;
};

class ProxyDumps {
 public:
  ProxyDumps(MeshPki& pki, DumpSettings settings);

  // GET config_dump?<query>: the admin API's status and body (body without a final newline).
  AdminResponse config_dump(const ProxyFacts& pod, std::string_view query);

  // Services installed at run time (POST /simctl/install's gateways): in every dump from now
  // on (the cached texts are dropped).
  void add_services(const std::vector<MeshService>& services);

  std::vector<std::string> trust_domains(const ProxyFacts& pod) const;
  std::string spiffe_id(const ProxyFacts& pod) const;

 private:
  struct Identity {
    std::string chain_pem, bundle_pem;
    bool rootca_first = false;
    std::string key; // cache key of the secrets
  };
  Identity identity(const ProxyFacts& pod);
  std::string rest_key(const ProxyFacts& pod) const;
  // Clusters, scoped routes, routes and listeners, pretty-printed, joined by ",\n" (cached).
  std::shared_ptr<const std::string> rest(const ProxyFacts& pod);
  std::shared_ptr<const std::string> secrets(const Identity& id);
  std::string full_text(const ProxyFacts& pod, const Identity& id, bool include_eds);

  std::shared_ptr<const std::vector<MeshService>> services() const;
  // Keeps an answer for its key, unless the services changed since it was made.
  void remember(const std::string& key, const std::string& body,
                const std::shared_ptr<const std::vector<MeshService>>& services_then);

  MeshPki& pki_;
  DumpSettings settings_; // settings_.services is unused: services_ holds them
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<MeshService>> services_; // replaced whole, under mu_
  std::map<std::string, std::shared_ptr<const std::string>> rest_cache_, secrets_cache_,
      query_cache_;
  std::size_t query_cache_bytes_ = 0; // the bodies' sizes in query_cache_
  std::shared_ptr<const std::string> endpoints_;
};

} // namespace sim::mesh
