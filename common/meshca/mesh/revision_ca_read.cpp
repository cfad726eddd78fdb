#include "meshca/mesh/revision_ca_read.h"

#include "meshca/kube/kubectl_calls.h"
#include "meshca/util/json.h"
#include "meshca/util/worker_pool.h"

#include <optional>

namespace meshca {

const RevisionCa* MeshCaConfig::find(std::string_view name) const {
  std::string revision(name);
  if (plane.find_revision(name) == nullptr || !plane.find_revision(name)->istiod)
    revision = plane.tag_target(name).value_or(revision);
  auto it = revisions.find(revision);
  return it == revisions.end() ? nullptr : &it->second;
}

Result<rapidjson::Document> read_istio_operators(KubectlRunner& kubectl) {
  const std::vector<std::string> args = {
      "get", "istiooperators.install.istio.io", "-n", "istio-system", "-o", "json"};
  std::string attempts;
  MESHCA_TRY_ASSIGN(auto output, run_with_retries(kubectl, args, std::nullopt, {}, &attempts));
  if (!output.succeeded()) {
    if (output.err.find("doesn't have a resource type") != std::string::npos)
      return rapidjson::Document();
    return kubectl_failure(output, args, "listing IstioOperators in istio-system", attempts);
  }
  auto doc = json::parse(output.out, "IstioOperator list");
  if (!doc)
    return cluster_error(doc.error().message);
  return doc;
}

Result<std::vector<std::string>> read_ca_secret_names(KubectlRunner& kubectl) {
  // The read that also gives the roots: a run that needs both reads once.
  MESHCA_TRY_ASSIGN(auto output, run_checked(kubectl, ca_secret_roots_args(),
                                             "looking up the CA secrets in istio-system"));
  std::vector<std::string> names;
  std::string_view rest = output.out;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (const std::string_view name = line.substr(0, line.find(' ')); !name.empty())
      names.emplace_back(name);
  }
  return names;
}

Result<rapidjson::Document> read_mesh_config_maps(KubectlRunner& kubectl) {
  return get_json(kubectl, {"get", "configmaps", "-n", "istio-system", "-o", "json"},
                  "listing ConfigMaps in istio-system (the revisions' mesh config)");
}

Result<MeshCaConfig> read_mesh_ca_config(KubectlRunner& kubectl) {
  // Four independent reads, each a kubectl process (~0.4 s): at once, not one after another.
  std::optional<Result<ControlPlaneLists>> lists;
  std::optional<Result<rapidjson::Document>> operators;
  std::optional<Result<rapidjson::Document>> config_maps;
  std::optional<Result<std::vector<std::string>>> secrets;
  parallel_for(4, 4, [&](std::size_t i) {
    switch (i) {
    case 0:
      lists.emplace(read_control_plane_lists(kubectl));
      break;
    case 1:
      operators.emplace(read_istio_operators(kubectl));
      break;
    case 2:
      config_maps.emplace(read_mesh_config_maps(kubectl));
      break;
    default:
      secrets.emplace(read_ca_secret_names(kubectl));
      break;
    }
  });
  if (!*lists)
    return lists->error();
  if (!*operators)
    return operators->error();
  if (!*config_maps)
    return config_maps->error();
  if (!*secrets)
    return secrets->error();
  MeshCaConfig config;
  config.plane = parse_control_plane((*lists)->deployments, (*lists)->webhooks);
  config.revisions = parse_revision_cas(
      config.plane,
      {(*lists)->deployments, (*operators)->IsNull() ? nullptr : &**operators, &**config_maps});
  config.ca_secrets = std::move(**secrets);
  return config;
}

} // namespace meshca
