#pragma once
// Reads the control plane together with what each revision's configuration says about its CA,
// and which CA secrets exist: the facts the trust gate, status and cleanup-secrets decide on.
// Lists only; Secret data never leaves kubectl (the secrets are looked up with -o name).

#include "meshca/kube/kubectl.h"
#include "meshca/mesh/control_plane.h"
#include "meshca/mesh/revision_ca.h"

#include <map>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

struct MeshCaConfig {
  ControlPlane plane;
  std::map<std::string, RevisionCa> revisions; // installed revisions (with an istiod)
  std::vector<std::string> ca_secrets;         // "cacerts", "istio-ca-secret": those present

  // The revision `name` resolves to (a tag resolves to its revision), when it is installed.
  const RevisionCa* find(std::string_view name) const;
};

// The IstioOperators in istio-system, or a null document when the cluster has no such type
// (Istio 1.21+ installs no IstioOperator CRD).
Result<rapidjson::Document> read_istio_operators(KubectlRunner& kubectl);

// The names of the CA secrets present in istio-system (cacerts, istio-ca-secret).
Result<std::vector<std::string>> read_ca_secret_names(KubectlRunner& kubectl);

// The ConfigMaps in istio-system: the revisions' mesh config (istio, istio-REV).
Result<rapidjson::Document> read_mesh_config_maps(KubectlRunner& kubectl);

// Deployments, webhooks, IstioOperators, ConfigMaps in istio-system and the CA secret names.
Result<MeshCaConfig> read_mesh_ca_config(KubectlRunner& kubectl);

} // namespace meshca
