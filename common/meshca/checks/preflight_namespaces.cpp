// Preflight, injected namespaces: the revision that serves each (the one resolver,
// mesh/namespace_injection.h), and its istio-ca-root-cert ConfigMap, which every injected pod
// mounts as volume istiod-ca-cert (Istio's injection template): without it new pods never start.
#include "meshca/checks/preflight_groups.h"
#include "meshca/util/words.h"

namespace meshca {
namespace {} // namespace

PreflightGroup check_namespaces(const PreflightContext& context) {
  PreflightGroup group{"Injected namespaces", {}};
  const CheckResult severity = PreflightContext::blocks_if(context.is_round());
  for (const NamespaceStatus& ns : context.status.namespaces) {
    const NamespaceInjection& injection = ns.injection;
    if (!injection.labelled())
      continue;
    const std::string object = "namespace " + injection.name;
    const std::string head = injection.name + " (" + injection.labels_text() + ")";
    if (injection.target.empty()) {
      group.checks.push_back(
          {severity, object,
           head + " sends new pods to no control plane" +
               (injection.problems.empty() ? "" : ": " + join(injection.problems, "; ")) +
               "; they start without a sidecar",
           "kubectl meshca relabel ns " + injection.name + " --revision REV"});
      continue;
    }
    const RevisionStatus* serving = context.status.find(injection.target);
    const std::string istiod = serving != nullptr && serving->istiod ? serving->istiod->name
                                                                     : "istiod-" + injection.target;
    const std::string target = head + " → " + injection.target;
    auto found = context.snapshot.root_certs.find(injection.name);
    if (found == context.snapshot.root_certs.end()) {
      group.checks.push_back(
          {severity, object,
           target + ": no ConfigMap istio-ca-root-cert, so new sidecar pods never start "
                    "(Init:0/1 or ContainerCreating: their volume istiod-ca-cert cannot mount)",
           "istiod writes it into every namespace it watches: check " + istiod +
               "'s discoverySelectors and logs, or restart it: kubectl -n istio-system rollout "
               "restart deployment/" +
               istiod});
      continue;
    }
    const ClassifiedRoots roots = classify_roots(
        found->second, "ConfigMap " + injection.name + "/istio-ca-root-cert", context.recognizer);
    if (!roots.error.empty()) {
      group.checks.push_back({severity, object, target + ": " + roots.error,
                              "delete the ConfigMap so that istiod writes it again: kubectl -n " +
                                  injection.name + " delete configmap istio-ca-root-cert"});
      continue;
    }
    // pilot-agent verifies istiod with this root: a revision running Istio's own CA signs its
    // serving certificate with the Citadel root.
    if (serving != nullptr && serving->ca.runs_istio_ca() && !roots.classes.citadel) {
      group.checks.push_back({severity, object,
                              target + ": istio-ca-root-cert holds " + roots.describe() + ", but " +
                                  istiod +
                                  " signs with the Citadel root: new sidecars cannot verify istiod",
                              "delete the ConfigMap so that istiod writes it again: kubectl -n " +
                                  injection.name + " delete configmap istio-ca-root-cert"});
      continue;
    }
    group.checks.push_back(
        {CheckResult::ok, object, target + ": istio-ca-root-cert holds " + roots.describe(), ""});
  }
  if (group.checks.empty())
    group.checks.push_back(
        {CheckResult::ok, "namespaces", "no namespace has injection labels", ""});
  return group;
}

} // namespace meshca
