#pragma once
// The kubectl command lines more than one command sends, named: the cluster-wide reads several
// commands make and the restart patch. One place knows their arguments and their error wording.

#include "meshca/kube/dry_run.h"
#include "meshca/kube/kubectl.h"
#include "meshca/util/result.h"

#include <chrono>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

// An object kubectl addresses as RESOURCE/NAME in a namespace: {"deployment", "shop", "cart"}.
struct ObjectRef {
  std::string resource; // singular, lower case: "deployment", "statefulset", "daemonset"
  std::string ns;
  std::string name;

  std::string ref() const { return resource + "/" + name; } // "deployment/cart"
};

// `kubectl get namespaces -o json`; an error says "listing namespaces".
Result<rapidjson::Document> list_namespaces(KubectlRunner& kubectl);

// `kubectl get secret cacerts istio-ca-secret -n istio-system --ignore-not-found` printing one
// line per secret present: its name, cacerts' root-cert.pem (a plug-in CA: the root above its
// intermediate), istio-ca-secret's ca-cert.pem (istiod's self-signed root), base64 as stored.
// Only those fields are printed, so no key leaves kubectl. The one read of the CA secrets that
// the names and the roots both come from, so a run's read memo (read_memo.h) serves the second.
std::vector<std::string> ca_secret_roots_args();

// The arguments that restart a workload as `kubectl rollout restart` does: a strategic merge
// patch setting the pod template's kubectl.kubernetes.io/restartedAt annotation to
// `restarted_at`. A patch takes --dry-run, which kubectl rollout restart does not in every
// kubectl version.
std::vector<std::string> restart_patch_args(const ObjectRef& object, DryRun dry_run,
                                            const std::string& restarted_at);

// `time` as RFC 3339 in UTC, whole seconds: "2025-01-31T12:00:00Z".
std::string format_restarted_at(std::chrono::system_clock::time_point time);

// `kubectl rollout status RESOURCE/NAME -n NS --timeout=Ns`.
std::vector<std::string> rollout_status_args(const ObjectRef& object, std::chrono::seconds timeout);

} // namespace meshca
