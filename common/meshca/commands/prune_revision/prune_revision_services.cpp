#include "meshca/commands/prune_revision/prune_revision_services.h"

#include "meshca/mesh/service_endpoints.h"
#include "meshca/util/json.h"

#include <map>
#include <set>
#include <utility>

namespace meshca {
namespace {

using rapidjson::Value;
using Labels = LabelMap;

std::string text(const Value* object, std::string_view key) {
  if (object == nullptr || !object->IsObject())
    return {};
  return std::string(json::string_member(*object, key).value_or(""));
}

const Value* member(const Value& object, std::initializer_list<std::string_view> keys) {
  const Value* at = &object;
  for (std::string_view key : keys) {
    if (!at->IsObject())
      return nullptr;
    auto it = at->FindMember(rapidjson::StringRef(key.data(), key.size()));
    if (it == at->MemberEnd())
      return nullptr;
    at = &it->value;
  }
  return at;
}

// The Deployment a pod belongs to: its ReplicaSet owner NAME-<pod-template-hash>.
std::string deployment_of(const Value& pod) {
  const Value* owners = member(pod, {"metadata", "ownerReferences"});
  const std::string hash = text(member(pod, {"metadata", "labels"}), "pod-template-hash");
  if (owners == nullptr || !owners->IsArray() || hash.empty())
    return {};
  for (const auto& owner : owners->GetArray()) {
    const std::string name = text(&owner, "name");
    if (text(&owner, "kind") == "ReplicaSet" && name.size() > hash.size() + 1 &&
        name.ends_with("-" + hash))
      return name.substr(0, name.size() - hash.size() - 1);
  }
  return {};
}

std::string external_address(const Value& service) {
  std::string addresses;
  const Value* ingress = member(service, {"status", "loadBalancer", "ingress"});
  if (ingress != nullptr && ingress->IsArray())
    for (const auto& entry : ingress->GetArray()) {
      std::string address = text(&entry, "ip");
      if (address.empty())
        address = text(&entry, "hostname");
      if (!address.empty())
        addresses += (addresses.empty() ? "" : ", ") + address;
    }
  if (const Value* external = member(service, {"spec", "externalIPs"});
      external && external->IsArray())
    for (const auto& ip : external->GetArray())
      if (ip.IsString())
        addresses += (addresses.empty() ? "" : ", ") + std::string(ip.GetString());
  return addresses.empty() ? "no external address" : "external address " + addresses;
}

} // namespace

void add_ready_pods(const Value& pod_list, std::vector<ReadyPod>& ready) {
  const Value* items = member(pod_list, {"items"});
  if (items == nullptr || !items->IsArray())
    return;
  for (const auto& pod : items->GetArray())
    if (pod_ready(pod))
      ready.push_back({text(member(pod, {"metadata"}), "namespace"),
                       text(member(pod, {"metadata"}), "name"), deployment_of(pod),
                       string_map(member(pod, {"metadata", "labels"}))});
}

std::vector<PruneBlocker> orphaned_services(const PrunePlan& plan, const Value& services,
                                            const std::vector<ReadyPod>& ready) {
  std::set<std::pair<std::string, std::string>> pruned; // (namespace, Deployment)
  for (const PruneObject& object : plan.objects)
    if (object.role == "gateway")
      pruned.insert({object.ns, object.name});
  std::vector<PruneBlocker> blockers;
  const Value* service_items = member(services, {"items"});
  if (pruned.empty() || service_items == nullptr || !service_items->IsArray())
    return blockers;
  for (const auto& service : service_items->GetArray()) {
    const Labels selector = string_map(member(service, {"spec", "selector"}));
    if (selector.empty())
      continue;
    const std::string ns = text(member(service, {"metadata"}), "namespace");
    std::size_t kept = 0;
    std::vector<std::string> lost;
    std::set<std::string> gateways;
    for (const ReadyPod& pod : ready) {
      if (pod.ns != ns || !selector_matches(selector, pod.labels))
        continue;
      if (pruned.count({ns, pod.deployment}) == 0) {
        ++kept;
        continue;
      }
      lost.push_back(pod.name);
      gateways.insert(pod.deployment);
    }
    if (kept > 0 || lost.empty())
      continue;
    std::string type = text(member(service, {"spec"}), "type");
    if (type.empty())
      type = "ClusterIP";
    const std::string name = text(member(service, {"metadata"}), "name");
    std::string gateway_names;
    for (const std::string& gateway : gateways)
      gateway_names += (gateway_names.empty() ? "" : ", ") + gateway;
    blockers.push_back(
        {"service/" + name + " -n " + ns + " (" + type + ", " + external_address(service) +
             ") has " + std::to_string(lost.size()) + " ready endpoint" +
             (lost.size() == 1 ? "" : "s") + ", all pods of " + plan.revision + "'s gateway " +
             gateway_names + ": deleting it leaves the Service with none",
         "point it at the new revision's gateway (a gateway Deployment whose pods match its "
         "selector, or its istio.io/rev label changed to the new revision) or move its clients "
         "first; --force deletes anyway"});
  }
  return blockers;
}

} // namespace meshca
