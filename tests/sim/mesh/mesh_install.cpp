// Mesh::Impl: POST /simctl/install, asmcli's part at run time. A revision (and gateways on it)
// gets exactly the objects a scenario revision gets at load (mesh.cpp's populate), created as
// the simulator's own changes (Origin::controller: not in the mutation log), so injection into
// namespaces that select it works from then on.
#include "mesh/json_text.h"
#include "mesh/mesh_impl.h"
#include "mesh/objects.h"
#include "server/json_util.h"

#include <chrono>
#include <thread>

namespace sim::mesh {

namespace {

struct Planned {
  std::string plural, ns, name, json;
  bool shared = false; // may exist already (istiod's ServiceAccount is shared by revisions)
};

std::vector<Planned> plan(const std::vector<std::pair<std::string, std::string>>& objects,
                          const std::string& ns) {
  std::vector<Planned> out;
  for (const auto& [plural, json] : objects) {
    auto doc = parse_json(json);
    std::string name = doc ? string_at(*doc, "metadata.name") : std::string();
    out.push_back({plural, ns, name, json, plural == "serviceaccounts"});
  }
  return out;
}

std::string where(const Planned& p) {
  return p.plural + " \"" + (p.ns.empty() ? "" : p.ns + "/") + p.name + "\"";
}

Json created_json(const std::vector<const Planned*>& created) {
  std::vector<Json> items;
  for (const auto* p : created) {
    std::vector<std::pair<std::string, Json>> m = {{"resource", str(p->plural)}};
    if (!p->ns.empty())
      m.emplace_back("namespace", str(p->ns));
    m.emplace_back("name", str(p->name));
    items.push_back(obj(m));
  }
  return arr(items);
}

} // namespace

ApiResponse Mesh::Impl::install(const std::string& body_json) {
  auto parsed = parse_install(body_json);
  if (auto* error = std::get_if<std::string>(&parsed))
    return error_response(400, "BadRequest", *error);
  const InstallSpec& spec = std::get<InstallSpec>(parsed);
  const RevisionSpec& rev = spec.revision;

  std::lock_guard install_lock(install_mu);
  if (revision_spec(rev.name))
    return error_response(409, "AlreadyExists",
                          "install: revision \"" + rev.name + "\" is already installed");
  const bool have_secrets = store.get("secrets", "istio-system", "cacerts") ||
                            store.get("secrets", "istio-system", "istio-ca-secret");
  if (rev.ca == CaMode::meshca_final && have_secrets)
    return error_response(
        400, "BadRequest",
        "install: revision: revision \"" + rev.name +
            "\" is meshca-final, which needs neither cacerts nor istio-ca-secret in istio-system "
            "(istiod restarted without them); install it as meshca-migration instead");
  for (std::size_t i = 0; i < spec.gateways.size(); ++i)
    if (!store.get("namespaces", "", spec.gateways[i].ns))
      return error_response(400, "BadRequest",
                            "install: gateways[" + std::to_string(i) + "]: namespace \"" +
                                spec.gateways[i].ns + "\" does not exist");

  // The objects, in populate()'s order: istiod's, the mesh and injector ConfigMaps, the
  // webhook; then the gateways once istiod answers.
  std::vector<Planned> control_plane;
  if (rev.istiod != IstiodState::absent) {
    control_plane = plan(control_plane_objects(rev, scenario), "istio-system");
    auto config_maps =
        plan({{"configmaps", mesh_config_map(rev, scenario, pki->meshca_root_pems())},
              {"configmaps", injector_config_map(rev)}},
             "istio-system");
    control_plane.insert(control_plane.end(), config_maps.begin(), config_maps.end());
  }
  auto webhook = plan({{"mutatingwebhookconfigurations", injector_webhook(rev)}}, "");
  control_plane.insert(control_plane.end(), webhook.begin(), webhook.end());
  std::vector<Planned> gateways;
  for (const auto& gw : spec.gateways) {
    auto objects = plan(gateway_objects(gw), gw.ns);
    gateways.insert(gateways.end(), objects.begin(), objects.end());
  }
  for (const auto* list : {&control_plane, &gateways})
    for (const auto& p : *list)
      if (!p.shared && store.get(p.plural, p.ns, p.name))
        return error_response(409, "AlreadyExists",
                              "install: revision \"" + rev.name + "\" would create " + where(p) +
                                  ", which already exists");

  // From here on the revision exists: its pods are injected with its CA mode.
  {
    std::lock_guard lock(revisions_mu);
    installed.push_back(rev);
  }
  {
    std::lock_guard lock(mu);
    modes[rev.name] = rev.ca;
  }
  std::vector<MeshService> services;
  for (const auto& gw : spec.gateways)
    services.push_back({gw.name, gw.ns, gw.name + "-service-account"});
  if (!services.empty())
    dumps->add_services(services);

  std::vector<const Planned*> created;
  auto create = [&](const std::vector<Planned>& list) -> std::optional<std::string> {
    for (const auto& p : list) {
      auto result = store.create(p.plural, p.ns, p.json, Origin::controller);
      if (auto* e = std::get_if<Store::WriteError>(&result)) {
        if (p.shared && e->reason == "AlreadyExists")
          continue;
        return "install: cannot create " + where(p) + ": " + e->message;
      }
      created.push_back(&p);
    }
    return std::nullopt;
  };
  if (auto error = create(control_plane))
    return error_response(500, "InternalError", *error);

  // Like asmcli, wait for istiod before going on: gateway pods need its webhook to answer.
  const bool running = controllers->running();
  bool istiod_ready = false;
  if (rev.istiod == IstiodState::running && rev.replicas > 0) {
    if (!running)
      controllers->settle();
    int delay =
        options.readiness_delay_ms > 0 ? options.readiness_delay_ms : scenario.readiness_delay_ms;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay) +
                    std::chrono::seconds(10);
    while (!(istiod_ready = !service_problem("istio-system", istiod_name(rev))) &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (auto error = create(gateways))
    return error_response(500, "InternalError", *error);
  if (!running)
    controllers->settle();

  std::vector<Json> gateway_names;
  for (const auto& gw : spec.gateways)
    gateway_names.push_back(obj({{"namespace", str(gw.ns)}, {"name", str(gw.name)}}));
  Json summary = obj({{"kind", str("InstallResult")},
                      {"revision", str(rev.name)},
                      {"ca", str(ca_mode_name(rev.ca))},
                      {"istiod", str(rev.istiod == IstiodState::running     ? "running"
                                     : rev.istiod == IstiodState::not_ready ? "not-ready"
                                                                            : "absent")},
                      {"istiodReady", boolean(istiod_ready)},
                      {"gateways", arr(gateway_names)},
                      {"created", created_json(created)}});
  return ApiResponse{201, "application/json", summary.text};
}

} // namespace sim::mesh
