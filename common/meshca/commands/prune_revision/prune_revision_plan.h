#pragma once
// prune-revision's plan: the objects that make up an old control-plane revision, and what still
// points at it (blockers). Pure: built from what the cluster returned, so tests use JSON fixtures.

#include "meshca/mesh/control_plane.h"
#include "meshca/mesh/sidecar_pods.h"

#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

struct PruneObject {
  std::string kind; // as kubectl -o name prints it: "deployment.apps", "service"
  std::string ns;   // "" for cluster-scoped objects
  std::string name;
  std::string role; // "gateway", "istiod", "injector", "install record"

  std::string ref() const { return kind + "/" + name; } // "deployment.apps/istiod-asm-1"
  std::string display() const;                          // ref() + " -n NS" when namespaced
};

struct PruneBlocker {
  std::string what; // "namespace/shop is labelled istio.io/rev=asm-1"
  std::string fix;  // a command that clears it
};

struct PrunePlan {
  std::string revision;
  std::vector<PruneObject> objects; // in deletion order: injector, gateways, istiod, install record
  std::vector<PruneBlocker> blockers;
  // Services that would be left without endpoints (see prune_revision_services.h): refused
  // unless --force.
  std::vector<PruneBlocker> service_blockers;
};

// What prune-revision read from the cluster.
struct PruneInputs {
  const ControlPlane& plane;
  const rapidjson::Value& namespaces;     // NamespaceList
  const PodSelection& sidecars;           // Running sidecar pods of every namespace
  const rapidjson::Value& istiod_objects; // List: Service/Deployment/HPA/PDB named istiod_name()
  const rapidjson::Value* operators;      // IstioOperator list in istio-system; null: no such type
};

// The istiod Deployment's name: the one the control plane shows, else "istiod-REV" ("istiod" for
// the unrevisioned "default").
std::string istiod_name(const ControlPlane& plane, std::string_view revision);

// The revision's own injector webhook name: "istio-sidecar-injector-REV", or
// "istio-sidecar-injector" for an unrevisioned install.
std::string own_injector_name(const ControlPlane& plane, std::string_view revision);

PrunePlan plan_prune(std::string_view revision, const PruneInputs& inputs);

// The refusal for a plan with blockers (and, unless `force`, service blockers): check_failed
// listing each blocker and its fix.
Error prune_refusal(const PrunePlan& plan, bool force = false);

} // namespace meshca
