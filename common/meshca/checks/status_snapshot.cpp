#include "meshca/checks/status_snapshot.h"

#include "meshca/kube/kubectl_calls.h"
#include "meshca/mesh/kubectl_pod_pages.h"
#include "meshca/mesh/revision_ca_read.h"
#include "meshca/util/json.h"
#include "meshca/util/worker_pool.h"

#include <functional>
#include <optional>

namespace meshca {

StatusInputs StatusSnapshot::inputs() const {
  return {deployments, webhooks,    namespaces, sidecars, operators.IsNull() ? nullptr : &operators,
          ca_secrets,  &config_maps};
}

Status run_reads_at_once(const std::vector<std::function<Status()>>& reads) {
  // Each read is a kubectl process; started together they take as long as the slowest one.
  std::vector<std::optional<Status>> results(reads.size());
  parallel_for(reads.size(), reads.size(), [&](std::size_t i) { results[i].emplace(reads[i]()); });
  for (const auto& result : results)
    if (!*result)
      return result->error();
  return done();
}

Result<StatusSnapshot> read_status_snapshot(KubectlRunner& kubectl) {
  StatusSnapshot snapshot;
  MESHCA_TRY(run_reads_at_once(status_reads(kubectl, snapshot)));
  return snapshot;
}

std::vector<std::function<Status()>> status_reads(KubectlRunner& kubectl, StatusSnapshot& snapshot,
                                                  CaSecretNames names) {
  auto into = [](rapidjson::Document& target, Result<rapidjson::Document> read) -> Status {
    if (!read)
      return read.error();
    target = std::move(*read);
    return done();
  };
  std::vector<std::function<Status()>> reads = {
      [&kubectl, &snapshot]() -> Status {
        MESHCA_TRY_ASSIGN(auto lists, read_control_plane_lists(kubectl));
        snapshot.deployments = std::move(lists.deployments);
        snapshot.webhooks = std::move(lists.webhooks);
        return done();
      },
      [&, into] { return into(snapshot.namespaces, list_namespaces(kubectl)); },
      [&kubectl, &snapshot]() -> Status {
        MESHCA_TRY_ASSIGN(auto sidecars, list_sidecar_pods_paged(kubectl));
        snapshot.sidecars = std::move(sidecars);
        return done();
      },
      [&, into] {
        return into(snapshot.control_plane_pods,
                    get_json(kubectl, {"get", "pods", "-n", "istio-system", "-o", "json"},
                             "listing pods in istio-system"));
      },
      [&, into] { return into(snapshot.operators, read_istio_operators(kubectl)); },
      [&, into] { return into(snapshot.config_maps, read_mesh_config_maps(kubectl)); },
  };
  if (names == CaSecretNames::read)
    reads.emplace_back([&kubectl, &snapshot]() -> Status {
      MESHCA_TRY_ASSIGN(auto secrets, read_ca_secret_names(kubectl));
      snapshot.ca_secrets = std::move(secrets);
      return done();
    });
  return reads;
}

} // namespace meshca
