#pragma once
// A scenario file: the mesh the simulator starts with. The schema is documented in
// tests/sim/SCENARIO.md; parse_scenario rejects unknown keys so a typo cannot silently
// produce a different mesh.

#include "mesh/ca_mode.h"

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sim::mesh {

using Labels = std::vector<std::pair<std::string, std::string>>; // in file order

enum class WorkloadKind { deployment, stateful_set, daemon_set, pod, job };

struct WorkloadSpec {
  WorkloadKind kind = WorkloadKind::deployment;
  std::string name;
  int replicas = 1;                          // Deployment and StatefulSet
  std::string service_account;               // default: the workload's name
  Labels labels;                             // extra pod labels (app=<name> is always set)
  std::optional<std::string> inject;         // pod label sidecar.istio.io/inject
  std::optional<std::string> revision_label; // pod label istio.io/rev (object-selector injection)
  bool on_delete = false;                    // StatefulSet/DaemonSet updateStrategy OnDelete
  bool paused = false;                       // Deployment spec.paused
  bool old_proxy = false; // its sidecars ignore config_dump's resource= and mask= parameters
  Labels annotations;     // extra pod template annotations (e.g. Istio's stats inclusion)
};

struct NamespaceSpec {
  std::string name;
  Labels labels;
  std::vector<WorkloadSpec> workloads;
  std::optional<bool> root_cert_configmap; // default: when the namespace has injection labels
};

enum class IstiodState { running, not_ready, absent };

struct RevisionSpec {
  std::string name; // "default" for an unrevisioned install
  bool unrevisioned =
      false; // plain `istiod`: Deployment/Service istiod, webhook istio-sidecar-injector
  CaMode ca = CaMode::citadel;
  IstiodState istiod = IstiodState::running;
  int replicas = 1;
  std::vector<std::string> trust_domain_aliases;
  Omissions omit;                      // settings of the CA option the install left out
  std::optional<bool> native_sidecars; // default: the scenario's native_sidecars
  std::string proxy_version;           // default: the scenario's proxy_version

  // Whether its install has the setting: its CA option sets it and "omit" does not name it.
  bool sets(CaSetting setting) const { return mode_sets(ca, setting) && !omit.has(setting); }
};

struct GatewaySpec {
  std::string name;
  std::string ns = "istio-system";
  std::string revision;
  int replicas = 1;
};

enum class TrafficProtocol { http, tcp };

// One traffic edge: the workload's sidecars call the Service (port 9080) at `rps` requests
// (http) or connections (tcp) per second in total.
struct TrafficEdge {
  std::string from_ns, from_workload; // a declared workload
  std::string to_ns, to_service;      // a declared workload's Service
  TrafficProtocol protocol = TrafficProtocol::http;
  double rps = 10;
};

struct Scenario {
  std::string trust_domain = "cluster.local";
  std::string project_id = "sim-project";
  int readiness_delay_ms = 0;
  int nodes = 3;
  bool native_sidecars = false;
  std::string proxy_version = "1.19.10-asm.33";
  int outbound_clusters = 24;
  int progress_deadline_seconds = 600;
  bool cacerts = false;
  bool istio_ca_secret = true;
  std::vector<RevisionSpec> revisions;
  Labels tags; // tag -> revision
  std::vector<GatewaySpec> gateways;
  std::vector<NamespaceSpec> namespaces; // after the scale block is expanded
  int old_proxy_every = 0;               // scale: every Nth generated workload has old proxies
  std::vector<TrafficEdge> traffic;      // listed edges, then the scale block's

  std::string meshca_trust_domain() const { return project_id + ".svc.id.goog"; }
  const RevisionSpec* revision(const std::string& name) const;
};

// The body of POST /simctl/install (asmcli's part at run time): one revision, with the schema
// of a scenario's revisions[] entry, and optionally gateways on it (scenario gateways[]
// entries; their revision defaults to, and must be, the installed one).
struct InstallSpec {
  RevisionSpec revision;
  std::vector<GatewaySpec> gateways;
};

// Parses and validates an install body; errors read like the scenario's, prefixed "install: "
// (e.g. `install: revision: ca "vault" is not one of citadel, ...`). What depends on the
// cluster (the revision already exists, meshca-final with CA secrets present) is the mesh's
// to check.
std::variant<InstallSpec, std::string> parse_install(const std::string& json_text);

// Parses and validates scenario JSON text. `origin` names the file in error messages.
std::variant<Scenario, std::string> parse_scenario(const std::string& json_text,
                                                   const std::string& origin);
std::variant<Scenario, std::string> load_scenario_file(const std::string& path);

} // namespace sim::mesh
