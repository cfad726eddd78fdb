#include "mesh/mesh_routes.h"

namespace sim::mesh {

void add_mesh_routes(Mesh& mesh, ApiServer& api, Faults& faults) {
  Mesh* m = &mesh;
  api.add_get_route("/meshca/spiffe_bundle.json", [m] {
    return ApiResponse{200, "application/json", m->spiffe_bundle_json()};
  });
  api.add_simctl_route("install", [m](const ApiRequest& r) {
    if (r.method != "POST")
      return error_response(405, "MethodNotAllowed", "use POST /simctl/install");
    return m->install(r.body);
  });
  faults.set_stuck_rollout_handler([m](const std::string& ns, const std::string& name, bool stuck) {
    m->set_stuck_rollout(ns, name, stuck);
  });
}

} // namespace sim::mesh
