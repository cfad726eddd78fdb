#include "meshca/commands/relabel/relabel_warnings.h"

#include "meshca/util/json.h"

namespace meshca {
namespace {

// True when spec.selector picks pods by istio.io/rev (matchLabels or matchExpressions).
bool selects_by_revision(const rapidjson::Value& deployment) {
  const rapidjson::Value* spec = json::object_member(deployment, "spec");
  const rapidjson::Value* selector = spec ? json::object_member(*spec, "selector") : nullptr;
  if (selector == nullptr)
    return false;
  if (const rapidjson::Value* labels = json::object_member(*selector, "matchLabels");
      labels != nullptr && labels->HasMember("istio.io/rev"))
    return true;
  if (const rapidjson::Value* expressions = json::array_member(*selector, "matchExpressions")) {
    for (const auto& expression : expressions->GetArray())
      if (json::string_member(expression, "key") == "istio.io/rev")
        return true;
  }
  return false;
}

bool paused(const rapidjson::Value& deployment) {
  const rapidjson::Value* spec = json::object_member(deployment, "spec");
  if (spec == nullptr)
    return false;
  auto it = spec->FindMember("paused");
  return it != spec->MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

std::string name_of(const rapidjson::Value& object) {
  const rapidjson::Value* metadata = json::object_member(object, "metadata");
  return metadata ? std::string(json::string_member(*metadata, "name").value_or(""))
                  : std::string();
}

} // namespace

std::vector<std::string> restart_warnings(const std::string& ns,
                                          const rapidjson::Value& deployments,
                                          bool has_root_cert_configmap) {
  const std::string prefix = "namespace \"" + ns + "\": ";
  std::vector<std::string> warnings;
  if (!has_root_cert_configmap)
    warnings.push_back(prefix +
                       "has no istio-ca-root-cert ConfigMap; restarted sidecars cannot "
                       "mount the mesh root and will not start until istiod creates it "
                       "(kubectl get configmap istio-ca-root-cert -n " +
                       ns + ")");
  const rapidjson::Value* items =
      deployments.IsObject() ? json::array_member(deployments, "items") : nullptr;
  if (items == nullptr)
    return warnings;
  for (const auto& deployment : items->GetArray()) {
    const std::string name = name_of(deployment);
    if (selects_by_revision(deployment))
      warnings.push_back(prefix + "deployment/" + name +
                         " selects its pods by istio.io/rev, so they keep their revision after a "
                         "restart and the selector cannot be changed in place; recreate it with "
                         "a selector without istio.io/rev to move it");
    if (paused(deployment))
      warnings.push_back(prefix + "deployment/" + name +
                         " is paused; rollout will not restart it (kubectl rollout resume "
                         "deployment/" +
                         name + " -n " + ns + ")");
  }
  return warnings;
}

} // namespace meshca
