#include "meshca/ops/status_snapshot.h"

#include "meshca/cli/interrupt.h"
#include "meshca/mesh/revision_ca_read.h"
#include "meshca/util/json.h"

namespace meshca {

StatusInputs StatusSnapshot::inputs() const {
  return {deployments, webhooks,   namespaces, pods, operators.IsNull() ? nullptr : &operators,
          ca_secrets,  &config_maps};
}

Result<StatusSnapshot> read_status_snapshot(KubectlRunner& kubectl) {
  install_interrupt_flag(); // Ctrl-C: the read in flight is stopped, no further one starts
  StatusSnapshot snapshot;
  auto deployments = get_json(kubectl,
                              {"get", "deployments", "--all-namespaces", "--selector",
                               "istio.io/rev", "-o", "json"},
                              "listing control-plane and gateway Deployments");
  if (!deployments)
    return deployments.error();
  snapshot.deployments = std::move(*deployments);
  auto webhooks = get_json(kubectl, {"get", "mutatingwebhookconfigurations", "-o", "json"},
                           "listing sidecar injector webhooks");
  if (!webhooks)
    return webhooks.error();
  snapshot.webhooks = std::move(*webhooks);
  auto namespaces = get_json(kubectl, {"get", "namespaces", "-o", "json"}, "listing namespaces");
  if (!namespaces)
    return namespaces.error();
  snapshot.namespaces = std::move(*namespaces);
  auto pods = get_json(kubectl, {"get", "pods", "--all-namespaces", "-o", "json"}, "listing pods");
  if (!pods)
    return pods.error();
  snapshot.pods = std::move(*pods);
  auto operators = read_istio_operators(kubectl);
  if (!operators)
    return operators.error();
  snapshot.operators = std::move(*operators);
  auto config_maps = get_json(kubectl, {"get", "configmaps", "-n", "istio-system", "-o", "json"},
                              "listing ConfigMaps in istio-system (the revisions' mesh config)");
  if (!config_maps)
    return config_maps.error();
  snapshot.config_maps = std::move(*config_maps);
  auto secrets = read_ca_secret_names(kubectl);
  if (!secrets)
    return secrets.error();
  snapshot.ca_secrets = std::move(*secrets);
  return snapshot;
}

} // namespace meshca
