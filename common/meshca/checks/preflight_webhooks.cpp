// Preflight, injector webhooks and revision tags: the Service each webhook calls exists and
// selects a Ready istiod. A webhook with failurePolicy Fail (the default of
// admissionregistration.k8s.io/v1, and what Istio's injector sets) that reaches no istiod fails
// every pod creation in the namespaces it selects.
#include "meshca/checks/preflight_groups.h"
#include "meshca/mesh/service_endpoints.h"
#include "meshca/util/json.h"

#include <set>

namespace meshca {
namespace {

using rapidjson::Value;

struct Hook {
  std::string service_ns, service_name;
  bool fail = true; // failurePolicy Fail
};

std::string text(const Value* object, std::string_view key) {
  if (object == nullptr || !object->IsObject())
    return {};
  return std::string(json::string_member(*object, key).value_or(""));
}

std::vector<Hook> hooks_of(const Value& configuration) {
  std::vector<Hook> hooks;
  if (const Value* list = json::array_member(configuration, "webhooks"))
    for (const auto& hook : list->GetArray()) {
      const Value* client = json::object_member(hook, "clientConfig");
      const Value* service = client ? json::object_member(*client, "service") : nullptr;
      if (service == nullptr)
        continue; // a URL webhook: not an in-cluster istiod
      hooks.push_back({text(service, "namespace"), text(service, "name"),
                       text(&hook, "failurePolicy") != "Ignore"});
    }
  return hooks;
}

// Which role the configuration plays: "tag default → asm-1" or "revision asm-1's injector".
std::string role_of(const PreflightContext& context, const std::string& name, std::string* tag_name,
                    std::string* revision_name) {
  for (const TagStatus& tag : context.status.tags)
    if (tag.webhook == name) {
      *tag_name = tag.name;
      *revision_name = tag.revision;
      return "tag " + tag.name + " → " + tag.revision;
    }
  for (const RevisionStatus& revision : context.status.revisions)
    for (const std::string& webhook : revision.webhooks)
      if (webhook == name) {
        *revision_name = revision.name;
        return "revision " + revision.name + "'s injector";
      }
  return "injector";
}

// A revision that stays after a prune of `pruned`: the newest other installed one.
std::string remaining_revision(const PreflightContext& context, const std::string& pruned) {
  std::string newest;
  std::string created;
  for (const RevisionStatus& revision : context.status.revisions)
    if (revision.istiod && revision.name != pruned && revision.created >= created) {
      newest = revision.name;
      created = revision.created;
    }
  return newest.empty() ? "REV" : newest;
}

} // namespace

PreflightGroup check_webhooks(const PreflightContext& context) {
  PreflightGroup group{"Injector webhooks and revision tags", {}};
  std::set<std::string> istio_webhooks;
  for (const RevisionStatus& revision : context.status.revisions)
    istio_webhooks.insert(revision.webhooks.begin(), revision.webhooks.end());
  for (const TagStatus& tag : context.status.tags)
    istio_webhooks.insert(tag.webhook);
  const Value* items = json::array_member(context.snapshot.status.webhooks, "items");
  if (items == nullptr)
    return group;
  for (const auto& configuration : items->GetArray()) {
    const std::string name = text(json::object_member(configuration, "metadata"), "name");
    if (istio_webhooks.count(name) == 0)
      continue;
    std::string tag, revision;
    const std::string role = role_of(context, name, &tag, &revision);
    const std::string object = "mutatingwebhookconfiguration/" + name;
    std::string problem;
    bool fails_pods = false;
    std::string service_text;
    int ready = 0;
    for (const Hook& hook : hooks_of(configuration)) {
      const std::string service = hook.service_ns + "/" + hook.service_name;
      service_text = service;
      const ServiceEndpoints endpoints =
          service_endpoints(context.snapshot.services, context.snapshot.status.control_plane_pods,
                            hook.service_ns, hook.service_name);
      if (!endpoints.found)
        problem = "service " + service + " not found";
      else if (endpoints.has_selector && endpoints.ready == 0)
        problem = "service " + service + " has no ready endpoint";
      else
        ready = std::max(ready, endpoints.ready);
      if (!problem.empty()) {
        fails_pods = fails_pods || hook.fail;
        break;
      }
    }
    const std::string head = name + " (" + role + ")";
    if (!problem.empty()) {
      std::string fix;
      if (!tag.empty())
        fix = "point the tag at an installed revision: istioctl tag set " + tag + " --revision " +
              remaining_revision(context, revision) + " --overwrite";
      else if (context.status.find(revision) == nullptr || !context.status.find(revision)->istiod)
        fix = "remove the leftover webhook: kubectl delete mutatingwebhookconfiguration " + name;
      else
        fix = "kubectl -n istio-system describe deployment " +
              context.status.find(revision)->istiod->name;
      group.checks.push_back(
          {fails_pods ? CheckResult::failure : CheckResult::warning, object,
           head + ": " + problem +
               (fails_pods ? ", so pod creation fails in every namespace it selects "
                             "(failurePolicy Fail)"
                           : ", so pods it selects are created without a sidecar "
                             "(failurePolicy Ignore)"),
           fix});
      continue;
    }
    if (context.step == PreflightStep::prune && context.revision != nullptr && !tag.empty() &&
        revision == context.revision->name) {
      group.checks.push_back(
          {CheckResult::failure, object,
           head + ": the tag points at " + revision + ", which the prune removes",
           "istioctl tag set " + tag + " --revision " + remaining_revision(context, revision) +
               " --overwrite"});
      continue;
    }
    group.checks.push_back({CheckResult::ok, object,
                            head + ": service " + service_text + ", " + std::to_string(ready) +
                                " ready endpoint" + (ready == 1 ? "" : "s"),
                            ""});
  }
  if (group.checks.empty())
    group.checks.push_back({CheckResult::ok, "webhooks", "no Istio injector webhook", ""});
  return group;
}

} // namespace meshca
