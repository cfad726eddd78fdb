// Mesh::Impl: injection admission and istiod's CA behaviour.
#include "mesh/controller_view.h"
#include "mesh/injection.h"
#include "mesh/label_selector.h"
#include "mesh/mesh_impl.h"
#include "mesh/objects.h"
#include "server/json_util.h"

#include <functional>

namespace sim::mesh {

using rapidjson::Value;

const RevisionSpec* Mesh::Impl::revision_spec(const std::string& revision) const {
  if (const auto* rev = scenario.revision(revision))
    return rev;
  std::lock_guard lock(revisions_mu);
  for (const auto& rev : installed)
    if (rev.name == revision)
      return &rev;
  return nullptr;
}

CaMode Mesh::Impl::mode_of(const std::string& revision) const {
  std::lock_guard lock(mu);
  auto it = modes.find(revision);
  return it == modes.end() ? CaMode::citadel : it->second;
}

std::string Mesh::Impl::proxy_version(const std::string& revision) const {
  const auto* rev = revision_spec(revision);
  return rev && !rev->proxy_version.empty() ? rev->proxy_version : scenario.proxy_version;
}

std::optional<std::string> Mesh::Impl::tag_target(const std::string& tag) const {
  auto json = store.get("mutatingwebhookconfigurations", "", "istio-revision-tag-" + tag);
  if (!json)
    return std::nullopt;
  auto doc = parse_json(*json);
  if (!doc)
    return std::nullopt;
  LabelMap labels = labels_of(*doc);
  auto it = labels.find("istio.io/rev");
  return it == labels.end() ? std::string() : it->second;
}

std::string Mesh::Impl::revision_for_labels(const Labels& labels) const {
  // A tag is its webhook in the store, as injection sees it: scenario.tags only seed those
  // webhooks at load (before anything is resolved), and a deleted tag webhook is no tag.
  auto resolve = [this](const std::string& name) -> std::string {
    if (auto target = tag_target(name))
      return revision_spec(*target) ? *target : "";
    return revision_spec(name) ? name : "";
  };
  for (const auto& [key, value] : labels) {
    if (key == "istio-injection" && value == "enabled") {
      std::string rev = resolve("default");
      if (!rev.empty())
        return rev;
    }
  }
  for (const auto& [key, value] : labels)
    if (key == "istio.io/rev" && !resolve(value).empty())
      return resolve(value);
  return scenario.revisions.front().name;
}

std::optional<std::string> Mesh::Impl::service_problem(const std::string& ns,
                                                       const std::string& name) const {
  auto svc_json = store.get("services", ns, name);
  if (!svc_json)
    return "service \"" + name + "\" not found";
  auto svc = parse_json(*svc_json);
  const Value* selector = svc ? find_path(*svc, "spec.selector") : nullptr;
  LabelMap wanted;
  if (selector && selector->IsObject())
    for (const auto& m : selector->GetObject())
      if (m.value.IsString())
        wanted[m.name.GetString()] = m.value.GetString();
  if (!wanted.empty()) {
    for (const auto& pod_json : store.list("pods", ns)) {
      auto pod = parse_json(pod_json);
      if (!pod || !pod_is_ready(*pod))
        continue;
      LabelMap labels = labels_of(*pod);
      bool match = std::all_of(wanted.begin(), wanted.end(), [&](const auto& kv) {
        auto it = labels.find(kv.first);
        return it != labels.end() && it->second == kv.second;
      });
      if (match)
        return std::nullopt;
    }
  }
  return "no endpoints available for service \"" + name + "\"";
}

std::optional<std::string> Mesh::Impl::admit(const std::string& plural, const std::string& ns,
                                             rapidjson::Document& pod) {
  if (plural != "pods")
    return std::nullopt;
  if (!string_at(pod, "metadata.uid").empty())
    return std::nullopt; // an update: webhooks are CREATE only
  auto& alloc = pod.GetAllocator();
  auto& spec = ensure_object(pod, "spec", alloc);
  if (string_member(spec, "nodeName").empty()) {
    auto nodes = controllers->node_names();
    std::size_t pick = std::hash<std::string>{}(string_at(pod, "metadata.name")) % nodes.size();
    set_string(spec, "nodeName", nodes[pick], alloc);
  }
  if (!member(pod, "status"))
    set_member(pod, "status", pending_status(alloc), alloc);

  LabelMap ns_labels;
  if (auto ns_json = store.get("namespaces", "", ns))
    if (auto ns_doc = parse_json(*ns_json))
      ns_labels = labels_of(*ns_doc);
  auto calls =
      webhooks_for_pod(store.list("mutatingwebhookconfigurations"), ns_labels, labels_of(pod));
  for (const auto& call : calls) {
    if (auto problem = service_problem(call.service_ns, call.service)) {
      if (call.fail_closed)
        return webhook_failure(call, *problem);
      continue;
    }
    if (already_injected(pod))
      continue; // istiod answers "already injected" with no patch
    const auto* rev = revision_spec(call.revision);
    SidecarSpec sidecar;
    sidecar.revision = call.revision;
    sidecar.proxy_image = "gcr.io/gke-release/asm/proxyv2:" + proxy_version(call.revision);
    sidecar.native = rev && rev->native_sidecars ? *rev->native_sidecars : scenario.native_sidecars;
    sidecar.discovery_address = call.service + "." + call.service_ns + ".svc:15012";
    sidecar.ca_mode = std::string(ca_mode_name(mode_of(call.revision)));
    inject_sidecar(pod, sidecar);
  }
  return std::nullopt;
}

void Mesh::Impl::observe(const Change& change) {
  controllers->on_change(change);
  observe_traffic(change);
  if (change.plural != "pods" || change.kind != Change::Kind::added || change.ns != "istio-system")
    return;
  auto pod = parse_json(change.object_json);
  if (!pod)
    return;
  LabelMap labels = labels_of(*pod);
  if (labels["app"] != "istiod")
    return;
  std::string revision = labels.count("istio.io/rev") ? labels["istio.io/rev"] : "default";
  // A starting istiod reads the CA secrets: a Mesh CA migration revision without them no longer
  // distributes the Citadel root (ASM's final step), and gets it back when they are restored.
  bool have_secrets = store.get("secrets", "istio-system", "cacerts") ||
                      store.get("secrets", "istio-system", "istio-ca-secret");
  std::unique_lock lock(mu);
  auto it = modes.find(revision);
  if (it == modes.end())
    return;
  // An istiod that issues certificates itself (a Citadel mode: Istio's built-in CA) and finds
  // neither secret mints a new self-signed root into istio-ca-secret. A Mesh CA revision whose
  // install omits ENABLE_CA_SERVER=false is not modelled as minting.
  if (issuer_of(it->second) == Issuer::citadel && !have_secrets) {
    lock.unlock();
    store.create("secrets", "istio-system",
                 secret_object("istio-system", "istio-ca-secret", pki->minted_ca_secret_files()),
                 Origin::controller);
    return;
  }
  if (it->second == CaMode::meshca_migration && !have_secrets)
    it->second = CaMode::meshca_final;
  else if (it->second == CaMode::meshca_final && have_secrets)
    it->second = CaMode::meshca_migration;
}

} // namespace sim::mesh
