#pragma once
// The simulated Istio mesh: loads a scenario into the store (namespaces, istiod revisions and
// their webhooks, gateways, workloads, CA secrets), answers Istio's injection webhooks as
// admission, runs the workload controllers, and answers `pilot-agent request` in sidecars.

#include "server/exec.h"
#include "server/request.h"
#include "server/store.h"

#include <memory>
#include <string>
#include <variant>

namespace sim::mesh {

struct MeshOptions {
  int readiness_delay_ms = 0; // > 0 overrides the scenario's readiness_delay_ms
  // When set: the PKI a folder holds is loaded (MeshPki::open_dir; simulators started with the
  // same folder share their roots), an empty or missing folder gets a new one; either way the
  // roots and the SPIFFE bundle are (re)written there.
  std::string pki_dir;
};

class Mesh {
 public:
  // Reads the scenario file (schema: tests/sim/SCENARIO.md), generates every certificate,
  // installs admission on the store and creates every object, with all pods Running and Ready.
  // Returns an error message naming the file and the bad key on a bad scenario.
  static std::variant<std::unique_ptr<Mesh>, std::string> load(const std::string& scenario_path,
                                                               Store& store, MeshOptions options);
  static std::variant<std::unique_ptr<Mesh>, std::string>
  load_text(const std::string& scenario_json, Store& store, MeshOptions options);
  ~Mesh();
  Mesh(const Mesh&) = delete;
  Mesh& operator=(const Mesh&) = delete;

  // Thread-safe. `pilot-agent request GET config_dump[?...]` etc. in istio-proxy; other
  // binaries or containers: exit 127 as the container runtime reports it.
  ExecResult exec(const ExecRequest& request);
  // The Mesh CA SPIFFE trust bundle (JWKS) for the scenario's Mesh CA roots.
  std::string spiffe_bundle_json() const;
  // Controllers: a thread reconciling on every change and at least every 20 ms.
  void start();
  void stop();
  // POST /simctl/install (tests/sim/README.md): asmcli's part. Body {"revision": {...},
  // "gateways": [...]} with the schema of a scenario's revisions[] and gateways[] entries;
  // creates what such a revision creates at load (not logged as client requests) and answers
  // 201 with a summary, 400 (malformed body, bad revision; nothing changed) or 409 (the
  // revision, or an object it would create, exists). Thread-safe.
  ApiResponse install(const std::string& body_json);
  // Fault: the workload's (Deployment/StatefulSet/DaemonSet) rollout never completes.
  void set_stuck_rollout(const std::string& ns, const std::string& name, bool stuck);

  struct Impl;

 private:
  explicit Mesh(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_; // shared: store callbacks hold weak references
};

} // namespace sim::mesh
