#pragma once
// Builders of the Kubernetes objects a scenario starts with, as JSON text shaped like what
// asmcli/istioctl and kubectl would have created (the store adds uid, resourceVersion, ...).

#include "mesh/scenario.h"

#include <string>
#include <utility>
#include <vector>

namespace sim::mesh {

// Object annotation: pods of this template never become Ready (istiod "not-ready").
inline constexpr const char* kNeverReadyAnnotation = "meshca-sim/never-ready";
// Pod template annotation: the pod's sidecar ignores config_dump's resource= (an old proxy).
inline constexpr const char* kOldProxyAnnotation = "meshca-sim/old-proxy";

std::string istiod_name(const RevisionSpec& rev); // "istiod" or "istiod-<rev>"

std::string namespace_object(const std::string& name, const Labels& labels);
std::string node_object(const std::string& name);
std::string service_account(const std::string& ns, const std::string& name);

// A Secret with each file's content base64-encoded under data (kubectl create secret generic).
std::string secret_object(const std::string& ns, const std::string& name,
                          const std::vector<std::pair<std::string, std::string>>& files);
std::string root_cert_configmap(const std::string& ns, const std::string& root_pem);

// istiod for a revision: Deployment, Service, HPA, PDB, IstioOperator installed-state-<rev>.
std::vector<std::pair<std::string, std::string>> control_plane_objects(const RevisionSpec& rev,
                                                                       const Scenario& scenario);
// The revision's mesh config, ConfigMap istio-<rev> (istio for an unrevisioned install) in
// istio-system, key `mesh`: trustDomain and trustDomainAliases as its sidecars accept them,
// proxyMetadata PROXY_CONFIG_XDS_AGENT for the ca-migration-* options, and for
// ca-migration-citadel the Mesh CA roots under caCertificates (each unless the revision omits it).
// ConfigMap istio-sidecar-injector[-REV] in istio-system: the values the injector renders
// sidecars with (key `values`, JSON); a Mesh CA revision's global.caAddress is
// meshca.googleapis.com:443, which becomes its sidecars' CA_ADDR.
std::string injector_config_map(const RevisionSpec& rev);

std::string mesh_config_map(const RevisionSpec& rev, const Scenario& scenario,
                            const std::vector<std::string>& meshca_root_pems);
// MutatingWebhookConfiguration istio-sidecar-injector[-<rev>] (plus the legacy
// istio-injection=enabled webhooks for an unrevisioned install).
std::string injector_webhook(const RevisionSpec& rev);
// istio-revision-tag-<tag> pointing at `rev` (with the legacy webhooks when tag == "default").
std::string tag_webhook(const std::string& tag, const RevisionSpec& rev);

// Gateway Deployment + Service (pods carry the istio.io/rev label and get the gateway template).
std::vector<std::pair<std::string, std::string>> gateway_objects(const GatewaySpec& gw);

// The objects of a workload (plural, JSON): ServiceAccount, Service (not for Jobs/bare pods),
// and the Deployment/StatefulSet/DaemonSet/Job, or the bare Pod.
// `progress_deadline_s` is a Deployment's spec.progressDeadlineSeconds.
std::vector<std::pair<std::string, std::string>>
workload_objects(const std::string& ns, const WorkloadSpec& w, int progress_deadline_s = 600);

} // namespace sim::mesh
