#pragma once
// What a control-plane revision's configuration says about its CA: who issues its sidecars'
// certificates, whether istiod runs Istio's own CA (and so mints a root into istio-ca-secret
// when it starts without one), and which extra roots its sidecars are handed. Pure: parsed from
// the objects relabel, rollout, status and cleanup-secrets read (see revision_ca_read.h).
//
// Sources (istio/istio): ENABLE_CA_SERVER, default true (pilot/pkg/features/pilot.go); with it
// istiod creates its CA at start (pilot/pkg/bootstrap/server.go maybeCreateCA) and, finding no
// istio-ca-secret or cacerts, mints a self-signed root into istio-ca-secret
// (security/pkg/pki/ca/ca.go NewSelfSignedIstioCAOptions). ISTIO_MULTIROOT_MESH builds the
// workload trust bundle from istiod's own CA root and meshConfig.caCertificates
// (pilot/pkg/bootstrap/server.go, pilot/pkg/trustbundle/trustbundle.go AddMeshConfigUpdate).
// asmcli's ca-migration-citadel option sets ISTIO_MULTIROOT_MESH and puts the Mesh CA root in
// caCertificates; ca-migration-meshca sets ISTIO_MULTIROOT_MESH (anthos-service-mesh-packages
// asm/istio/options/ca-migration-*.yaml); a Mesh CA install sets values.global.caAddress to
// meshca.googleapis.com:443 (asm/istio/istio-operator.yaml), which Istio's injection template
// renders into every sidecar's CA_ADDR from the injector ConfigMap's values; istiod itself never
// reads CA_ADDR (manifests/charts/istio-control/istio-discovery).

#include "meshca/mesh/ca_class.h"
#include "meshca/mesh/control_plane.h"

#include <map>
#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

struct RevisionCa {
  std::string revision;
  std::optional<CaClass> issuer; // empty: the objects do not say
  std::string issuer_source;     // "IstioOperator installed-state-asm-1", "istiod env CA_ADDR"
  bool ca_server = true;         // istiod env ENABLE_CA_SERVER is not "false"
  bool multi_root = false;       // istiod env ISTIO_MULTIROOT_MESH=true
  std::string ca_address;        // the sidecars' CA_ADDR: the injector's values.global.caAddress
                                 // (else istiod env CA_ADDR); "" when unset: istiod itself
  std::string istiod_source;     // "Deployment istio-system/istiod-asm-1"
  std::vector<std::string> ca_certificates; // meshConfig.caCertificates PEMs
  // meshConfig.defaultConfig.proxyMetadata.PROXY_CONFIG_XDS_AGENT is true: pilot-agent takes its
  // ProxyConfig (the extra roots among it) from istiod over xDS.
  bool xds_agent = false;
  std::optional<std::string> trust_domain;       // meshConfig.trustDomain, when set
  std::vector<std::string> trust_domain_aliases; // meshConfig.trustDomainAliases
  std::string mesh_config_source; // "ConfigMap istio-system/istio-asm-1", "IstioOperator ...", ""
  std::string created;            // istiod's creationTimestamp (RFC 3339)

  // Issues certificates itself with Istio's built-in CA: not a Mesh CA revision, and the CA
  // server is on. Such an istiod mints a new root when it starts without the CA secrets.
  bool runs_istio_ca() const { return issuer != CaClass::meshca && ca_server; }
};

// "CITADEL"/"MESHCA" from an IstioOperator's spec.values.global.caName ("" and "Citadel" are
// Citadel, "GoogleCA" and "MeshCA" are Mesh CA); empty for any other name.
std::optional<CaClass> issuer_from_ca_name(const std::string& ca_name);

struct RevisionCaInputs {
  const rapidjson::Value& deployments; // -l istio.io/rev, all namespaces
  const rapidjson::Value* operators;   // IstioOperators in istio-system; null: no such type
  const rapidjson::Value* config_maps; // ConfigMaps in istio-system; null: not read
};

// One entry per revision of `plane` that has an istiod.
std::map<std::string, RevisionCa> parse_revision_cas(const ControlPlane& plane,
                                                     const RevisionCaInputs& inputs);

// The PEM blocks in meshConfig text (YAML `caCertificates: - pem: |` blocks, any indentation).
std::vector<std::string> pem_blocks_in(const std::string& text);

} // namespace meshca
