#pragma once
// The mesh's parts of the HTTP API (tests/sim/README.md): GET /meshca/spiffe_bundle.json,
// POST /simctl/install, and stuck-rollout faults acting on the mesh's controllers.

#include "mesh/mesh.h"
#include "server/api_server.h"
#include "server/faults.h"

namespace sim::mesh {

// Registers them on `api` and `faults`; `mesh` must outlive both.
void add_mesh_routes(Mesh& mesh, ApiServer& api, Faults& faults);

} // namespace sim::mesh
