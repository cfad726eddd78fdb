#include "mesh/proxy_dumps.h"

#include "mesh/json_text.h"

#include <algorithm>
#include <functional>

namespace sim::mesh {

namespace {
// The answers kept, in bytes: every identity's secrets and each revision's clusters, at any
// scale the scenarios reach (a benchmark mesh of 100 identities keeps about 3 MB).
constexpr std::size_t kQueryCacheBytes = std::size_t{256} << 20;

// Whether an answer holds nothing of the pod's identity (its secrets, its bootstrap): a clusters,
// listeners or routes resource, or a mask of such fields only. It is then the same for every pod
// of a revision and trust-domain set.
bool identity_free(const DumpQuery& query) {
  const auto secrets_or_bootstrap = [](std::string_view field) {
    return field.starts_with("bootstrap") || field.find("secrets") != std::string_view::npos ||
           field.starts_with("last_updated");
  };
  if (!query.resource.empty())
    return !secrets_or_bootstrap(query.resource);
  return !query.mask_paths.empty() &&
         std::none_of(query.mask_paths.begin(), query.mask_paths.end(), secrets_or_bootstrap);
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : sep) + item;
  return out;
}

std::string strip_newline(std::string text) {
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  return text;
}
} // namespace

ProxyDumps::ProxyDumps(MeshPki& pki, DumpSettings settings)
    : pki_(pki), settings_(std::move(settings)),
      services_(std::make_shared<const std::vector<MeshService>>(std::move(settings_.services))) {
  settings_.services.clear();
}

std::shared_ptr<const std::vector<MeshService>> ProxyDumps::services() const {
  std::lock_guard lock(mu_);
  return services_;
}

void ProxyDumps::add_services(const std::vector<MeshService>& services) {
  std::lock_guard lock(mu_);
  auto all = std::make_shared<std::vector<MeshService>>(*services_);
  all->insert(all->end(), services.begin(), services.end());
  services_ = std::move(all);
  rest_cache_.clear();
  query_cache_.clear();
  query_cache_bytes_ = 0;
  endpoints_.reset();
}

std::vector<std::string> ProxyDumps::trust_domains(const ProxyFacts& pod) const {
  return sim::mesh::trust_domains(pod.mode, settings_.citadel_trust_domain,
                                  settings_.meshca_trust_domain, pod.trust_domain_aliases,
                                  pod.omitted);
}

std::string ProxyDumps::spiffe_id(const ProxyFacts& pod) const {
  return "spiffe://" +
         identity_trust_domain(pod.mode, settings_.citadel_trust_domain,
                               settings_.meshca_trust_domain) +
         "/ns/" + pod.ns + "/sa/" + pod.service_account;
}

ProxyDumps::Identity ProxyDumps::identity(const ProxyFacts& pod) {
  Identity id;
  std::string spiffe = spiffe_id(pod);
  id.chain_pem = pki_.workload_chain_pem(issuer_of(pod.mode), spiffe);
  id.bundle_pem = pki_.trust_bundle_pem(pod.mode, pod.omitted);
  // Envoy lists secrets in the order they arrived; vary it per pod as real meshes do.
  id.rootca_first = std::hash<std::string>{}(pod.pod_name) % 2 == 1;
  // The bundle's roots are in the key: an install's omissions change them within one mode.
  std::string roots = std::string(trusts_citadel(pod.mode, pod.omitted) ? "C" : "") +
                      (trusts_meshca(pod.mode, pod.omitted) ? "M" : "");
  id.key = std::string(ca_mode_name(pod.mode)) + "|" + roots + "|" + spiffe + "|" +
           (id.rootca_first ? "r" : "d");
  return id;
}

std::string ProxyDumps::rest_key(const ProxyFacts& pod) const {
  return pod.revision + "|" + join(trust_domains(pod), ",");
}

std::shared_ptr<const std::string> ProxyDumps::rest(const ProxyFacts& pod) {
  std::string key = rest_key(pod);
  {
    std::lock_guard lock(mu_);
    if (auto it = rest_cache_.find(key); it != rest_cache_.end())
      return it->second;
  }
  auto tds = trust_domains(pod);
  std::string istiod = pod.revision == "default" ? "istiod" : "istiod-" + pod.revision;
  auto services_now = services();
  std::vector<std::string> pieces = {
      clusters_config(*services_now, tds, settings_.outbound_clusters, istiod),
      listeners_config(tds), scoped_routes_config(), routes_config(*services_now)};
  std::string text;
  for (const auto& piece : pieces)
    text += (text.empty() ? "  " : ",\n  ") + pretty(piece, 2);
  auto shared = std::make_shared<const std::string>(std::move(text));
  std::lock_guard lock(mu_);
  if (services_ != services_now)
    return shared; // services were added meanwhile: this text is already stale, do not keep it
  return rest_cache_.emplace(key, shared).first->second;
}

std::shared_ptr<const std::string> ProxyDumps::secrets(const Identity& id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = secrets_cache_.find(id.key); it != secrets_cache_.end())
      return it->second;
  }
  auto shared = std::make_shared<const std::string>(
      "  " + pretty(secrets_config(id.chain_pem, id.bundle_pem, id.rootca_first), 2));
  std::lock_guard lock(mu_);
  return secrets_cache_.emplace(id.key, shared).first->second;
}

std::string ProxyDumps::full_text(const ProxyFacts& pod, const Identity& id, bool include_eds) {
  BootstrapFacts b;
  b.gateway = pod.gateway;
  b.pod_name = pod.pod_name;
  b.pod_ip = pod.pod_ip;
  b.node_name = pod.node_name;
  b.ns = pod.ns;
  b.service_account = pod.service_account;
  b.workload = pod.workload;
  b.owner = pod.owner;
  b.revision = pod.revision;
  b.istio_version = pod.istio_version;
  b.trust_domain = settings_.citadel_trust_domain;
  b.labels_json = pod.labels_json;
  std::string boot = "  " + pretty(bootstrap_config(b), 2);
  auto rest_text = rest(pod);
  auto secrets_text = secrets(id);
  std::string eds;
  if (include_eds) {
    std::lock_guard lock(mu_);
    if (!endpoints_)
      endpoints_ = std::make_shared<const std::string>(
          "  " + pretty(endpoints_config(*services_, settings_.outbound_clusters), 2));
    eds = *endpoints_;
  }
  std::string out;
  out.reserve(boot.size() + rest_text->size() + secrets_text->size() + eds.size() + 64);
  out += "{\n \"configs\": [\n";
  out += boot;
  out += ",\n";
  // Envoy's order: Bootstrap, Clusters, [Endpoints], Listeners, ScopedRoutes, Routes, Secrets.
  // The cached rest keeps clusters first; EDS goes after it (parsers must not rely on order).
  out += *rest_text;
  if (!eds.empty())
    out += ",\n" + eds;
  out += ",\n";
  out += *secrets_text;
  out += "\n ]\n}";
  return out;
}

void ProxyDumps::remember(const std::string& key, const std::string& body,
                          const std::shared_ptr<const std::vector<MeshService>>& services_then) {
  std::lock_guard lock(mu_);
  if (services_ != services_then)
    return; // made before an install: not the answer after it
  if (query_cache_bytes_ + body.size() > kQueryCacheBytes) {
    query_cache_.clear();
    query_cache_bytes_ = 0;
  }
  if (query_cache_.emplace(key, std::make_shared<const std::string>(body)).second)
    query_cache_bytes_ += body.size();
}

AdminResponse ProxyDumps::config_dump(const ProxyFacts& pod, std::string_view query_text) {
  DumpQuery query = parse_dump_query(query_text);
  auto services_at_start = services(); // answers made before an install are not cached after it
  if (pod.old_proxy) {                 // Envoy before 1.13: neither resource= nor mask=
    query.resource.clear();
    query.mask_paths.clear();
  }
  Identity id = identity(pod);
  if (query.plain())
    return {200, full_text(pod, id, query.include_eds)};

  // The resource= shape never contains the pod-specific bootstrap, and a mask that leaves the
  // bootstrap out reduces it to its @type: both answers are the same for every pod of an identity.
  bool masks_bootstrap_out =
      !query.mask_paths.empty() &&
      std::none_of(query.mask_paths.begin(), query.mask_paths.end(),
                   [](const std::string& p) { return p.rfind("bootstrap", 0) == 0; });
  bool cacheable = !query.resource.empty() || masks_bootstrap_out;
  // Keyed by what the answer depends on, so a benchmark's thousands of pods share a few answers,
  // as the admin API of each real proxy computes its own on its own node.
  std::string key =
      (identity_free(query) ? std::string() : id.key) + "#" + rest_key(pod) + "#" + query.key();
  if (cacheable) {
    std::lock_guard lock(mu_);
    if (auto it = query_cache_.find(key); it != query_cache_.end()) {
      std::string body;
      body.reserve(it->second->size() + 1); // room for pilot-agent's line end: one copy, no more
      body = *it->second;
      return {200, std::move(body)};
    }
  }
  if (query.resource == "dynamic_active_secrets" && query.mask_paths.empty() &&
      query.name_regex.empty()) {
    std::string body = "{\n \"configs\": [\n  " + pretty(default_secret(id.chain_pem, true), 2) +
                       ",\n  " + pretty(rootca_secret(id.bundle_pem, true), 2) + "\n ]\n}";
    if (id.rootca_first)
      body = "{\n \"configs\": [\n  " + pretty(rootca_secret(id.bundle_pem, true), 2) + ",\n  " +
             pretty(default_secret(id.chain_pem, true), 2) + "\n ]\n}";
    remember(key, body, services_at_start);
    return {200, body};
  }
  rapidjson::Document doc;
  std::string full = full_text(pod, id, query.include_eds);
  doc.Parse(full.c_str(), full.size());
  AdminResponse response = apply_dump_query(doc, query);
  response.body = strip_newline(std::move(response.body));
  if (cacheable && response.status == 200)
    remember(key, response.body, services_at_start);
  return response;
}

} // namespace sim::mesh
