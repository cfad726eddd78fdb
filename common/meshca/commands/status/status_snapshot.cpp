#include "meshca/commands/status/status_snapshot.h"

#include "meshca/kube/kubectl_calls.h"
#include "meshca/mesh/revision_ca_read.h"
#include "meshca/util/interrupt.h"
#include "meshca/util/json.h"

namespace meshca {

StatusInputs StatusSnapshot::inputs() const {
  return {deployments, webhooks,    namespaces, pods, operators.IsNull() ? nullptr : &operators,
          ca_secrets,  &config_maps};
}

Result<StatusSnapshot> read_status_snapshot(KubectlRunner& kubectl) {
  StatusSnapshot snapshot;
  MESHCA_TRY_ASSIGN(auto lists, read_control_plane_lists(kubectl));
  snapshot.deployments = std::move(lists.deployments);
  snapshot.webhooks = std::move(lists.webhooks);
  auto namespaces = list_namespaces(kubectl);
  if (!namespaces)
    return namespaces.error();
  snapshot.namespaces = std::move(*namespaces);
  auto pods = list_all_pods(kubectl);
  if (!pods)
    return pods.error();
  snapshot.pods = std::move(*pods);
  auto operators = read_istio_operators(kubectl);
  if (!operators)
    return operators.error();
  snapshot.operators = std::move(*operators);
  auto config_maps = read_mesh_config_maps(kubectl);
  if (!config_maps)
    return config_maps.error();
  snapshot.config_maps = std::move(*config_maps);
  MESHCA_TRY_ASSIGN(auto secrets, read_ca_secret_names(kubectl));
  snapshot.ca_secrets = std::move(secrets);
  return snapshot;
}

} // namespace meshca
