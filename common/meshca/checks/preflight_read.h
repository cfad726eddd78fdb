#pragma once
// What preflight reads: status's seven lists, every namespace's istio-ca-root-cert ConfigMap (one
// list with a field selector), the Services the injector webhooks call, and the root
// certificate of each CA secret present (kubectl prints only that field: no key leaves
// kubectl). A handful of list calls, most at once; no pod is exec'd.

#include "meshca/checks/status_snapshot.h"
#include "meshca/kube/kubectl.h"

#include <map>
#include <optional>
#include <rapidjson/document.h>
#include <string>

namespace meshca {

struct PreflightSnapshot {
  StatusSnapshot status;
  rapidjson::Document services;                  // {"items": [...]} of the webhooks' namespaces
  std::map<std::string, std::string> root_certs; // namespace -> root-cert.pem of istio-ca-root-cert
  std::map<std::string, std::string> ca_secret_roots; // "cacerts" / "istio-ca-secret" -> PEM
  std::string unread; // with ExtraReads::optional: why preflight's own reads failed, else ""
};

// Whether preflight's reads beyond status's may fail: status still reports without them (and
// says the preflight was not evaluated); preflight and relabel need them.
enum class ExtraReads { required, optional };

Result<PreflightSnapshot> read_preflight_snapshot(KubectlRunner& kubectl,
                                                  ExtraReads extras = ExtraReads::required);

// The namespaces whose Services the injector webhooks call (istio-system when none says).
std::vector<std::string> webhook_service_namespaces(const rapidjson::Value& webhooks);

// From `kubectl get configmaps -A --field-selector metadata.name=istio-ca-root-cert -o json`.
std::map<std::string, std::string> root_certs_by_namespace(const rapidjson::Value& list);

} // namespace meshca
