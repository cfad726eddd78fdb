#pragma once
// What would break the restart that follows a relabel, found before anything changes. Pure.

#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

// Warnings for namespace `ns`, from its Deployments (`kubectl get deployments -n NS -o json`) and
// whether its istio-ca-root-cert ConfigMap exists:
// - no istio-ca-root-cert: restarted sidecars cannot mount the root and do not start;
// - a Deployment whose selector uses istio.io/rev: its pods keep that label, so they keep their
//   revision, and the selector cannot be changed in place;
// - a paused Deployment: rollout does not restart it.
// Each line begins `namespace "NS": `.
std::vector<std::string> restart_warnings(const std::string& ns,
                                          const rapidjson::Value& deployments,
                                          bool has_root_cert_configmap);

} // namespace meshca
