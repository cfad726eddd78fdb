#include "meshca/mesh/control_plane.h"

#include "meshca/util/json.h"

#include <algorithm>
#include <map>

namespace meshca {
namespace {

std::string label(const rapidjson::Value& object, std::string_view key) {
  const rapidjson::Value* metadata = json::object_member(object, "metadata");
  const rapidjson::Value* labels = metadata ? json::object_member(*metadata, "labels") : nullptr;
  return labels ? json::string_or_empty(*labels, key) : std::string();
}

int integer(const rapidjson::Value* object, const char* key) {
  if (object == nullptr || !object->IsObject())
    return 0;
  auto it = object->FindMember(key);
  return it != object->MemberEnd() && it->value.IsInt() ? it->value.GetInt() : 0;
}

const rapidjson::Value* items(const rapidjson::Value& list) {
  return list.IsObject() ? json::array_member(list, "items") : nullptr;
}

// A namespaceSelector that picks istio-injection=enabled, by matchLabels or matchExpressions.
bool selects_injection_label(const rapidjson::Value& webhook) {
  const rapidjson::Value* selector = json::object_member(webhook, "namespaceSelector");
  if (selector == nullptr)
    return false;
  if (const rapidjson::Value* match = json::object_member(*selector, "matchLabels");
      match != nullptr && json::string_or_empty(*match, "istio-injection") == "enabled")
    return true;
  const rapidjson::Value* expressions = json::array_member(*selector, "matchExpressions");
  if (expressions == nullptr)
    return false;
  for (const auto& expression : expressions->GetArray()) {
    if (json::string_or_empty(expression, "key") != "istio-injection" ||
        json::string_or_empty(expression, "operator") != "In")
      continue;
    const rapidjson::Value* values = json::array_member(expression, "values");
    if (values == nullptr)
      continue;
    for (const auto& value : values->GetArray())
      if (value.IsString() && std::string_view(value.GetString()) == "enabled")
        return true;
  }
  return false;
}

InjectorWebhook read_webhook(const rapidjson::Value& config) {
  InjectorWebhook webhook;
  if (const rapidjson::Value* metadata = json::object_member(config, "metadata"))
    webhook.name = json::string_or_empty(*metadata, "name");
  webhook.revision = label(config, "istio.io/rev");
  webhook.tag = label(config, "istio.io/tag");
  if (const rapidjson::Value* entries = json::array_member(config, "webhooks")) {
    for (const auto& entry : entries->GetArray()) {
      webhook.serves_injection_label =
          webhook.serves_injection_label || selects_injection_label(entry);
      const rapidjson::Value* client = json::object_member(entry, "clientConfig");
      const rapidjson::Value* service = client ? json::object_member(*client, "service") : nullptr;
      if (service != nullptr && webhook.service.empty())
        webhook.service = json::string_or_empty(*service, "namespace") + "/" +
                          json::string_or_empty(*service, "name");
    }
  }
  return webhook;
}

bool is_sidecar_injector(const rapidjson::Value& config) {
  const std::string name = [&] {
    const rapidjson::Value* metadata = json::object_member(config, "metadata");
    return metadata ? json::string_or_empty(*metadata, "name") : std::string();
  }();
  return name.starts_with("istio-sidecar-injector") || name.starts_with("istio-revision-tag-") ||
         label(config, "app") == "sidecar-injector";
}

} // namespace

const ControlPlaneRevision* ControlPlane::find_revision(std::string_view name) const {
  for (const ControlPlaneRevision& revision : revisions)
    if (revision.name == name)
      return &revision;
  return nullptr;
}

std::optional<std::string> ControlPlane::tag_target(std::string_view tag) const {
  for (const InjectorWebhook& webhook : webhooks)
    if (!webhook.tag.empty() && webhook.tag == tag)
      return webhook.revision;
  return std::nullopt;
}

bool ControlPlane::serves(std::string_view name) const {
  const ControlPlaneRevision* revision = find_revision(name);
  return (revision != nullptr && revision->istiod) || tag_target(name).has_value();
}

std::optional<std::string> ControlPlane::injection_label_revision() const {
  // Istio gives the default tag precedence over a legacy injector.
  if (auto target = tag_target("default"))
    return target;
  for (const InjectorWebhook& webhook : webhooks)
    if (webhook.serves_injection_label)
      return webhook.revision.empty() ? std::string("default") : webhook.revision;
  return std::nullopt;
}

ControlPlane parse_control_plane(const rapidjson::Value& deployments,
                                 const rapidjson::Value& webhooks) {
  std::map<std::string, ControlPlaneRevision> by_name;
  if (const rapidjson::Value* list = items(deployments)) {
    for (const auto& deployment : list->GetArray()) {
      const std::string revision = label(deployment, "istio.io/rev");
      if (revision.empty())
        continue;
      DeploymentRef ref;
      if (const rapidjson::Value* metadata = json::object_member(deployment, "metadata")) {
        ref.ns = json::string_or_empty(*metadata, "namespace");
        ref.name = json::string_or_empty(*metadata, "name");
      }
      ref.replicas = integer(json::object_member(deployment, "spec"), "replicas");
      ref.ready_replicas = integer(json::object_member(deployment, "status"), "readyReplicas");
      ControlPlaneRevision& entry = by_name[revision];
      entry.name = revision;
      if (label(deployment, "app") == "istiod" && ref.ns == "istio-system")
        entry.istiod = ref;
      else
        entry.gateways.push_back(ref);
    }
  }
  ControlPlane plane;
  if (const rapidjson::Value* list = items(webhooks)) {
    for (const auto& config : list->GetArray()) {
      if (!is_sidecar_injector(config))
        continue;
      plane.webhooks.push_back(read_webhook(config));
      const InjectorWebhook& webhook = plane.webhooks.back();
      if (!webhook.revision.empty() && webhook.tag.empty())
        by_name[webhook.revision].name = webhook.revision;
    }
  }
  for (auto& [name, revision] : by_name)
    plane.revisions.push_back(std::move(revision));
  std::sort(plane.webhooks.begin(), plane.webhooks.end(),
            [](const InjectorWebhook& a, const InjectorWebhook& b) { return a.name < b.name; });
  return plane;
}

Result<ControlPlaneLists> read_control_plane_lists(KubectlRunner& kubectl) {
  MESHCA_TRY_ASSIGN(auto deployments, get_json(kubectl,
                                               {"get", "deployments", "--all-namespaces",
                                                "--selector", "istio.io/rev", "-o", "json"},
                                               "listing control-plane and gateway Deployments"));
  MESHCA_TRY_ASSIGN(auto webhooks,
                    get_json(kubectl, {"get", "mutatingwebhookconfigurations", "-o", "json"},
                             "listing sidecar injector webhooks"));
  return ControlPlaneLists{std::move(deployments), std::move(webhooks)};
}

Result<ControlPlane> read_control_plane(KubectlRunner& kubectl) {
  MESHCA_TRY_ASSIGN(auto lists, read_control_plane_lists(kubectl));
  return parse_control_plane(lists.deployments, lists.webhooks);
}

} // namespace meshca
