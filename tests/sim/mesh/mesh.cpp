#include "mesh/mesh.h"

#include "mesh/injection.h"
#include "mesh/json_text.h"
#include "mesh/mesh_impl.h"
#include "mesh/objects.h"
#include "mesh/pilot_agent.h"
#include "mesh/pki_dir_lock.h"
#include "mesh/spiffe_bundle.h"
#include "server/json_util.h"

#include <functional>
#include <stdexcept>

namespace sim::mesh {

using rapidjson::Value;

Mesh::Impl::Impl(Store& s, Scenario sc, MeshOptions o)
    : store(s), scenario(std::move(sc)), options(std::move(o)) {}

namespace {

std::vector<MeshService> mesh_services(const Scenario& s) {
  std::vector<MeshService> out;
  for (const auto& ns : s.namespaces)
    for (const auto& w : ns.workloads)
      if (w.kind != WorkloadKind::pod && w.kind != WorkloadKind::job)
        out.push_back({w.name, ns.name, w.service_account});
  for (const auto& gw : s.gateways)
    out.push_back({gw.name, gw.ns, gw.name + "-service-account"});
  return out;
}

bool injection_labelled(const Labels& labels) {
  for (const auto& [key, value] : labels)
    if ((key == "istio-injection" && value == "enabled") || key == "istio.io/rev")
      return true;
  return false;
}

// Creates the scenario's objects in dependency order; settles the controllers between steps so
// istiod is Ready before any pod needs its webhook.
std::optional<std::string> populate(Mesh::Impl& m) {
  const Scenario& s = m.scenario;
  std::optional<std::string> error;
  auto create = [&](const std::string& plural, const std::string& ns, const std::string& json) {
    if (error)
      return;
    auto result = m.store.create(plural, ns, json, Origin::controller);
    if (auto* e = std::get_if<Store::WriteError>(&result); e && e->reason != "AlreadyExists")
      error = "cannot create " + plural + " in \"" + ns + "\": " + e->message;
  };
  for (const auto& node : m.controllers->node_names())
    create("nodes", "", node_object(node));
  for (const char* ns :
       {"default", "kube-system", "kube-public", "kube-node-lease", "istio-system"})
    create("namespaces", "", namespace_object(ns, {}));
  for (const auto& ns : s.namespaces)
    create("namespaces", "", namespace_object(ns.name, ns.labels));
  if (s.cacerts)
    create("secrets", "istio-system",
           secret_object("istio-system", "cacerts", m.pki->cacerts_files()));
  if (s.istio_ca_secret)
    create("secrets", "istio-system",
           secret_object("istio-system", "istio-ca-secret", m.pki->istio_ca_secret_files()));
  // istiod writes the bundle its sidecars get into each namespace's istio-ca-root-cert.
  auto bundle_of = [&m](const std::string& revision) {
    const RevisionSpec* rev = m.revision_spec(revision);
    return m.pki->trust_bundle_pem(m.mode_of(revision), rev ? rev->omit : Omissions{});
  };
  create("configmaps", "istio-system",
         root_cert_configmap("istio-system", bundle_of(s.revisions.front().name)));
  for (const auto& rev : s.revisions) {
    if (rev.istiod != IstiodState::absent) {
      for (const auto& [plural, json] : control_plane_objects(rev, s))
        create(plural, "istio-system", json);
      create("configmaps", "istio-system", mesh_config_map(rev, s, m.pki->meshca_root_pems()));
      create("configmaps", "istio-system", injector_config_map(rev));
    }
    create("mutatingwebhookconfigurations", "", injector_webhook(rev));
  }
  for (const auto& [tag, target] : s.tags)
    create("mutatingwebhookconfigurations", "", tag_webhook(tag, *s.revision(target)));
  WorkloadSpec coredns;
  coredns.name = coredns.service_account = "coredns";
  coredns.replicas = 2;
  for (const auto& [plural, json] : workload_objects("kube-system", coredns))
    create(plural, "kube-system", json);
  m.controllers->settle();
  for (const auto& ns : s.namespaces) {
    bool configmap = ns.root_cert_configmap.value_or(injection_labelled(ns.labels));
    if (configmap)
      create("configmaps", ns.name,
             root_cert_configmap(ns.name, bundle_of(m.revision_for_labels(ns.labels))));
    for (const auto& w : ns.workloads)
      for (const auto& [plural, json] : workload_objects(ns.name, w, s.progress_deadline_seconds)) {
        // A bare pod may be refused by a broken webhook: that is scenario state, not an error.
        if (plural == "pods")
          m.store.create(plural, ns.name, json, Origin::controller);
        else
          create(plural, ns.name, json);
      }
  }
  for (const auto& gw : s.gateways)
    for (const auto& [plural, json] : gateway_objects(gw))
      create(plural, gw.ns, json);
  m.controllers->settle();
  // A paused Deployment is paused after it rolled out (created paused it would have no pods).
  for (const auto& ns : s.namespaces)
    for (const auto& w : ns.workloads)
      if (w.kind == WorkloadKind::deployment && w.paused)
        m.store.update(
            "deployments", ns.name, w.name,
            [](rapidjson::Document& doc) {
              set_member(ensure_object(doc, "spec", doc.GetAllocator()), "paused",
                         rapidjson::Value(true), doc.GetAllocator());
              return true;
            },
            Origin::controller);
  m.controllers->settle();
  return error;
}

std::string owner_of(const Value& pod, const std::string& ns) {
  const Value* refs = find_path(pod, "metadata.ownerReferences");
  if (!refs || !refs->IsArray() || refs->Empty())
    return "kubernetes://apis/v1/namespaces/" + ns + "/pods/" + string_at(pod, "metadata.name");
  const Value& ref = (*refs)[0];
  std::string kind = string_member(ref, "kind"), name = string_member(ref, "name");
  if (kind == "ReplicaSet") {
    auto dash = name.rfind('-');
    return "kubernetes://apis/apps/v1/namespaces/" + ns + "/deployments/" + name.substr(0, dash);
  }
  if (kind == "Job")
    return "kubernetes://apis/batch/v1/namespaces/" + ns + "/jobs/" + name;
  std::string plural = kind == "StatefulSet" ? "statefulsets"
                       : kind == "DaemonSet" ? "daemonsets"
                                             : "replicasets";
  return "kubernetes://apis/apps/v1/namespaces/" + ns + "/" + plural + "/" + name;
}

} // namespace

ProxyFacts Mesh::Impl::facts_of(const Value& pod) const {
  ProxyFacts f;
  f.ns = string_at(pod, "metadata.namespace");
  f.pod_name = string_at(pod, "metadata.name");
  f.pod_ip = string_at(pod, "status.podIP");
  f.node_name = string_at(pod, "spec.nodeName");
  f.service_account = string_at(pod, "spec.serviceAccountName");
  if (f.service_account.empty())
    f.service_account = "default";
  LabelMap labels = labels_of(pod);
  f.revision = annotation(pod, "istio.io/rev");
  if (f.revision.empty()) {
    auto status = parse_json(annotation(pod, "sidecar.istio.io/status"));
    if (status && status->IsObject())
      f.revision = string_member(*status, "revision");
  }
  if (f.revision.empty())
    f.revision = labels.count("istio.io/rev") ? labels["istio.io/rev"] : "default";
  auto recorded = parse_ca_mode(annotation(pod, kSimCaModeAnnotation));
  f.mode = recorded ? *recorded : mode_of(f.revision);
  f.workload = labels.count("service.istio.io/canonical-name")
                   ? labels["service.istio.io/canonical-name"]
                   : labels["app"];
  f.owner = owner_of(pod, f.ns);
  f.gateway = annotation(pod, "inject.istio.io/templates") == "gateway";
  f.old_proxy = annotation(pod, kOldProxyAnnotation) == "true";
  f.istio_version = proxy_version(f.revision);
  if (const auto* rev = revision_spec(f.revision)) {
    f.trust_domain_aliases = rev->trust_domain_aliases;
    f.omitted = rev->omit;
  }
  if (const Value* l = find_path(pod, "metadata.labels"))
    f.labels_json = to_json(*l);
  return f;
}

std::pair<int, std::string> Mesh::Impl::admin(const ProxyFacts& facts, const std::string& method,
                                              const std::string& path, const std::string& query) {
  if (path == "config_dump") {
    if (method != "GET")
      return {405, "Method Not Allowed"};
    auto response = dumps->config_dump(facts, query);
    return {response.status, std::move(response.body)};
  }
  if (path == "stats" || path == "stats/prometheus") {
    if (method != "GET")
      return {405, "Method Not Allowed"};
    auto parsed = parse_stats_query(query, path == "stats/prometheus");
    if (auto* error = std::get_if<AdminResponse>(&parsed))
      return {error->status, error->body};
    auto response = render_stats(envoy_stats(facts), std::get<StatsQuery>(parsed));
    return {response.status, response.body};
  }
  if (path == "ready")
    return {200, "LIVE"};
  if (path == "server_info")
    return {
        200,
        pretty(
            obj({{"version",
                  str("c6160ecc199f34ab6c3e6a5f16958d150e536faa/1.27.3/Clean/RELEASE/BoringSSL")},
                 {"state", str("LIVE")},
                 {"hot_restart_version", str("11.104")},
                 {"command_line_options",
                  obj({{"concurrency", num(2)},
                       {"service_cluster", str(facts.workload + "." + facts.ns)},
                       {"service_node", str((facts.gateway ? "router~" : "sidecar~") +
                                            facts.pod_ip + "~" + facts.pod_name + "." + facts.ns +
                                            "~" + facts.ns + ".svc.cluster.local")}})},
                 {"uptime_current_epoch", str("3600s")},
                 {"uptime_all_epochs", str("3600s")},
                 {"node", obj({{"id", str(facts.pod_name + "." + facts.ns)}})}})
                .text)};
  return {
      404,
      "invalid path. admin commands are:\n  /: Admin home page\n  /certs: print certs on machine\n"
      "  /clusters: upstream cluster status\n  /config_dump: dump current Envoy configs "
      "(experimental)\n"
      "  /ready: print server state, return 200 if LIVE, otherwise return 503\n"
      "  /server_info: print server version/status information\n  /stats: print server stats\n"
      "  /stats/prometheus: print server stats in prometheus format"};
}

ExecResult Mesh::Impl::exec(const ExecRequest& request) {
  auto pod_json = store.get("pods", request.ns, request.pod);
  if (!pod_json)
    return {"", "error: pods \"" + request.pod + "\" not found\n", 1};
  auto pod = parse_json(*pod_json);
  if (!pod)
    return {"", "error: unreadable pod\n", 1};
  if (request.container != "istio-proxy")
    return request.command.empty()
               ? ExecResult{"", "error: you must specify at least one command for the container\n",
                            1}
               : not_found_in_image(request.command.front());
  ProxyFacts facts = facts_of(*pod);
  return run_in_proxy(request.command, facts.istio_version, [&](const AdminCall& call) {
    if (call.port == 15021) // the health port answers readiness only
      return call.path == "healthz/ready" ? std::pair<int, std::string>{200, ""}
                                          : std::pair<int, std::string>{404, "404 page not found"};
    if (call.port == 15020)
      return agent_status(facts, call.path, call.query);
    return admin(facts, call.method, call.path, call.query);
  });
}

Mesh::Mesh(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Mesh::~Mesh() {
  if (impl_ && impl_->controllers)
    impl_->controllers->stop();
}

namespace {
std::variant<std::unique_ptr<Mesh>, std::string>
build(std::variant<Scenario, std::string> parsed, const std::string& origin, Store& store,
      MeshOptions options,
      const std::function<std::unique_ptr<Mesh>(std::shared_ptr<Mesh::Impl>)>& wrap) {
  if (auto* error = std::get_if<std::string>(&parsed))
    return *error;
  auto impl = std::make_shared<Mesh::Impl>(store, std::get<Scenario>(std::move(parsed)),
                                           std::move(options));
  Scenario& s = impl->scenario;
  std::unique_ptr<PkiDirLock> pki_lock; // held until the folder holds this simulator's PKI
  if (!impl->options.pki_dir.empty()) {
    auto locked = PkiDirLock::acquire(impl->options.pki_dir);
    if (auto* error = std::get_if<std::string>(&locked))
      return *error;
    pki_lock = std::move(std::get<std::unique_ptr<PkiDirLock>>(locked));
  }
  try {
    if (impl->options.pki_dir.empty()) {
      impl->pki = std::make_unique<MeshPki>(s.trust_domain, s.cacerts);
    } else {
      // A folder holding a complete PKI is loaded: simulators sharing it share their roots.
      auto opened = MeshPki::open_dir(impl->options.pki_dir, s.trust_domain, s.cacerts);
      if (auto* error = std::get_if<std::string>(&opened))
        return "scenario " + origin + ": " + *error;
      impl->pki = std::move(std::get<std::unique_ptr<MeshPki>>(opened));
    }
    impl->bundle_json = sim::mesh::spiffe_bundle_json(impl->pki->meshca_root_pems());
  } catch (const std::exception& e) {
    return std::string("cannot generate the mesh certificates: ") + e.what();
  }
  if (!impl->options.pki_dir.empty())
    if (auto error = impl->pki->write_files(impl->options.pki_dir, impl->bundle_json))
      return *error;
  pki_lock.reset();
  for (const auto& rev : s.revisions)
    impl->modes[rev.name] = rev.ca;
  impl->dumps =
      std::make_unique<ProxyDumps>(*impl->pki, DumpSettings{s.trust_domain, s.meshca_trust_domain(),
                                                            s.outbound_clusters, mesh_services(s)});
  int delay = impl->options.readiness_delay_ms > 0 ? impl->options.readiness_delay_ms
                                                   : s.readiness_delay_ms;
  impl->controllers = std::make_unique<Controllers>(store, ControllerConfig{delay, s.nodes});
  impl->traffic = std::make_unique<Traffic>(s.traffic, std::chrono::steady_clock::now());
  std::weak_ptr<Mesh::Impl> weak = impl;
  store.set_admission(
      [weak](const std::string& plural, const std::string& ns, rapidjson::Document& object) {
        auto self = weak.lock();
        return self ? self->admit(plural, ns, object) : std::nullopt;
      });
  store.observe([weak](const Change& change) {
    if (auto self = weak.lock())
      self->observe(change);
  });
  if (auto error = populate(*impl))
    return "scenario " + origin + ": " + *error;
  return wrap(impl);
}
} // namespace

std::variant<std::unique_ptr<Mesh>, std::string> Mesh::load(const std::string& scenario_path,
                                                            Store& store, MeshOptions options) {
  return build(
      load_scenario_file(scenario_path), scenario_path, store, std::move(options),
      [](std::shared_ptr<Impl> impl) { return std::unique_ptr<Mesh>(new Mesh(std::move(impl))); });
}

std::variant<std::unique_ptr<Mesh>, std::string>
Mesh::load_text(const std::string& scenario_json, Store& store, MeshOptions options) {
  return build(
      parse_scenario(scenario_json, "<inline>"), "<inline>", store, std::move(options),
      [](std::shared_ptr<Impl> impl) { return std::unique_ptr<Mesh>(new Mesh(std::move(impl))); });
}

ExecResult Mesh::exec(const ExecRequest& request) {
  return impl_->exec(request);
}
ApiResponse Mesh::install(const std::string& body_json) {
  return impl_->install(body_json);
}
std::string Mesh::spiffe_bundle_json() const {
  return impl_->bundle_json;
}
void Mesh::start() {
  impl_->controllers->start();
}
void Mesh::stop() {
  impl_->controllers->stop();
}
void Mesh::set_stuck_rollout(const std::string& ns, const std::string& name, bool stuck) {
  impl_->controllers->set_stuck(ns, name, stuck);
}

} // namespace sim::mesh
