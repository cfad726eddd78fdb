#pragma once
// Internals of Mesh shared by mesh.cpp (loading, exec) and mesh_admission.cpp (injection,
// istiod CA behaviour).

#include "mesh/controllers.h"
#include "mesh/mesh.h"
#include "mesh/pki.h"
#include "mesh/proxy_dumps.h"
#include "mesh/scenario.h"
#include "mesh/stats_admin.h"
#include "mesh/traffic.h"

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <rapidjson/document.h>
#include <string>

namespace sim::mesh {

struct Mesh::Impl {
  Impl(Store& s, Scenario sc, MeshOptions o);

  Store& store;
  Scenario scenario;
  MeshOptions options;
  std::unique_ptr<MeshPki> pki;
  std::string bundle_json;
  std::unique_ptr<ProxyDumps> dumps;
  std::unique_ptr<Controllers> controllers;

  mutable std::mutex mu;
  std::map<std::string, CaMode> modes; // revision -> CA mode new sidecars get now
  std::unique_ptr<Traffic> traffic;    // guarded by mu

  // Revisions installed at run time (POST /simctl/install, mesh_install.cpp). Never removed, and
  // a deque keeps its elements in place, so revision_spec may hand out pointers to them.
  mutable std::mutex revisions_mu;
  std::deque<RevisionSpec> installed; // guarded by revisions_mu
  std::mutex install_mu;              // one install at a time

  // POST /simctl/install: creates what a scenario revision (and its gateways) creates at load.
  ApiResponse install(const std::string& body_json);

  // Admission for pod creates: Istio's webhooks as the API server would call them.
  std::optional<std::string> admit(const std::string& plural, const std::string& ns,
                                   rapidjson::Document& object);
  // Every store change: controllers, and istiod picking up (or losing) the CA secrets when its
  // pods start.
  void observe(const Change& change);
  // Why a webhook's Service cannot answer (gone, or no Ready pods), if it cannot.
  std::optional<std::string> service_problem(const std::string& ns, const std::string& name) const;
  CaMode mode_of(const std::string& revision) const;
  // The scenario's revision, or one installed since; nullptr when there is none of that name.
  const RevisionSpec* revision_spec(const std::string& revision) const;
  std::string proxy_version(const std::string& revision) const;
  // The revision tag `tag` points at: the istio.io/rev label of MutatingWebhookConfiguration
  // istio-revision-tag-<tag> in the store ("" when unlabelled), nullopt when there is no such
  // webhook (never created, or deleted).
  std::optional<std::string> tag_target(const std::string& tag) const;
  // The revision a namespace's labels select (istio-injection=enabled: tag `default`, else a
  // revision named `default`; istio.io/rev=X: tag X, else revision X), or the first revision.
  std::string revision_for_labels(const Labels& labels) const;

  // Traffic (mesh_traffic.cpp): feeds pod and Service changes to the model; the stats endpoints
  // of Envoy's admin API and of the agent's status port 15020.
  void observe_traffic(const Change& change);
  TrafficPod traffic_pod(const rapidjson::Value& pod, std::uint64_t resource_version) const;
  std::vector<Stat> envoy_stats(const ProxyFacts& facts);
  std::pair<int, std::string> agent_status(const ProxyFacts& facts, const std::string& path,
                                           const std::string& query);

  ExecResult exec(const ExecRequest& request);
  ProxyFacts facts_of(const rapidjson::Value& pod) const;
  std::pair<int, std::string> admin(const ProxyFacts& facts, const std::string& method,
                                    const std::string& path, const std::string& query);
};

} // namespace sim::mesh
