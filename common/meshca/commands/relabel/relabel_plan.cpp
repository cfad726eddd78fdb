#include "meshca/commands/relabel/relabel_plan.h"

#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/words.h"

#include <algorithm>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <set>

namespace meshca {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

std::string ns_prefix(const std::string& name) {
  return "namespace " + double_quoted(name) + ": ";
}

bool never_selected(const std::string& name) {
  return is_system_namespace(name) || name == "istio-system";
}

void write_string(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

// The labels the target asks for; for --undo the recorded ones.
Result<LabelMap> target_labels(const NamespaceInfo& ns, const RelabelTarget& target) {
  switch (target.mode) {
  case RelabelMode::revision:
    return LabelMap{{std::string(kRevisionLabel), target.revision}};
  case RelabelMode::injection_enabled:
    return LabelMap{{std::string(kInjectionLabel), "enabled"}};
  case RelabelMode::undo:
    break;
  }
  auto record = ns.annotations.find(kPreviousLabelsAnnotation);
  if (record == ns.annotations.end())
    return check_failed(ns_prefix(ns.name) + "nothing to undo: it has no " +
                        std::string(kPreviousLabelsAnnotation) +
                        " annotation (relabel records the labels it replaces there); relabel it "
                        "with --revision REV or --injection-enabled");
  return parse_previous_labels(record->second, ns.name);
}

// Why pods created under `after` would get no sidecar, or nullopt when some injector serves it.
std::optional<std::string> unserved(const std::string& name, const LabelMap& after,
                                    const ControlPlane& control_plane) {
  if (auto injection = after.find(kInjectionLabel); injection != after.end()) {
    if (injection->second != "enabled" || control_plane.injection_label_revision())
      return std::nullopt;
    return ns_prefix(name) +
           "nothing serves istio-injection=enabled (no \"default\" revision tag and no legacy "
           "injector: kubectl get mutatingwebhookconfigurations -l app=sidecar-injector); use "
           "--force to relabel anyway";
  }
  auto rev = after.find(kRevisionLabel);
  if (rev == after.end() || control_plane.serves(rev->second))
    return std::nullopt;
  return ns_prefix(name) + "no control plane for revision " + double_quoted(rev->second) +
         " in istio-system (kubectl get deploy -n istio-system -l istio.io/rev); use --force to "
         "relabel anyway";
}

std::string both_labels_message(const NamespaceInfo& ns) {
  return ns_prefix(ns.name) + "has both " + format_labels(ns.injection_labels()) +
         ": which revision injected its pods is ambiguous (istio-injection wins); see what they "
         "run with kubectl meshca check-root " +
         ns.name + " -o wide";
}

bool injects(const LabelMap& labels) {
  auto injection = labels.find(kInjectionLabel);
  return (injection != labels.end() && injection->second == "enabled") ||
         (injection == labels.end() && labels.find(kRevisionLabel) != labels.end());
}

// Plans one namespace; a refusal goes to `refusals`.
void plan_one(const NamespaceInfo& ns, const RelabelTarget& target,
              const ControlPlane* control_plane, Force force, RelabelPlan& plan) {
  auto after = target_labels(ns, target);
  if (!after) {
    plan.refusals.push_back(after.error().message);
    return;
  }
  NamespaceChange change;
  change.name = ns.name;
  change.before = ns.injection_labels();
  change.after = *after;
  change.changed = change.before != change.after;
  if (change.changed) {
    if (control_plane != nullptr) {
      if (auto problem = unserved(ns.name, change.after, *control_plane)) {
        plan.refusals.push_back(*problem);
        return;
      }
    }
    if (ns.has_both_labels()) {
      if (force == Force::no) {
        plan.refusals.push_back(both_labels_message(ns) + ", then use --force to relabel anyway");
        return;
      }
      change.warnings.push_back(both_labels_message(ns));
    }
    if (!injects(change.before) && injects(change.after))
      change.warnings.push_back(ns_prefix(ns.name) +
                                "has no sidecar injection now; its pods get sidecars when they "
                                "next restart");
    if (injects(change.before) && !injects(change.after))
      change.warnings.push_back(ns_prefix(ns.name) +
                                "loses sidecar injection; its pods lose their sidecars when they "
                                "next restart");
    std::optional<std::string> record;
    if (target.mode != RelabelMode::undo)
      record = previous_labels_record(change.before);
    change.patch = relabel_patch(change.before, change.after, record);
  }
  plan.namespaces.push_back(std::move(change));
}

} // namespace

SelectedNamespaces select_namespaces(const std::vector<NamespaceInfo>& cluster,
                                     const NamespaceSelection& selection) {
  SelectedNamespaces selected;
  std::set<std::string> wanted;
  for (const std::string& name : selection.named) {
    const bool exists = std::any_of(cluster.begin(), cluster.end(),
                                    [&](const NamespaceInfo& ns) { return ns.name == name; });
    if (!exists) {
      if (std::find(selected.unknown.begin(), selected.unknown.end(), name) ==
          selected.unknown.end())
        selected.unknown.push_back(name);
      continue;
    }
    wanted.insert(name);
  }
  for (const NamespaceInfo& ns : cluster) {
    if (never_selected(ns.name))
      continue;
    const bool matches =
        !selection.selector_matches ||
        std::find(selection.selector_matches->begin(), selection.selector_matches->end(),
                  ns.name) != selection.selector_matches->end();
    if (selection.all_injected && ns.has_injection() && matches)
      wanted.insert(ns.name);
    if (!selection.all_injected && selection.selector_matches && matches)
      wanted.insert(ns.name);
  }
  for (const NamespaceInfo& ns : cluster)
    if (wanted.count(ns.name) > 0)
      selected.namespaces.push_back(ns);
  return selected;
}

RelabelPlan plan_relabel(const std::vector<NamespaceInfo>& namespaces, const RelabelTarget& target,
                         const ControlPlane* control_plane, Force force) {
  RelabelPlan plan;
  for (const NamespaceInfo& ns : namespaces)
    plan_one(ns, target, force == Force::yes ? nullptr : control_plane, force, plan);
  return plan;
}

std::string relabel_patch(const LabelMap& before, const LabelMap& after,
                          const std::optional<std::string>& record) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("metadata");
  writer.StartObject();
  if (record) {
    writer.Key("annotations");
    writer.StartObject();
    write_string(writer, kPreviousLabelsAnnotation);
    write_string(writer, *record);
    writer.EndObject();
  }
  writer.Key("labels");
  writer.StartObject();
  std::set<std::string> keys;
  for (const auto& [key, value] : before)
    keys.insert(key);
  for (const auto& [key, value] : after)
    keys.insert(key);
  for (const std::string& key : keys) {
    auto now = before.find(key);
    auto wanted = after.find(key);
    if (wanted == after.end()) {
      write_string(writer, key);
      writer.Null();
    } else if (now == before.end() || now->second != wanted->second) {
      write_string(writer, key);
      write_string(writer, wanted->second);
    }
  }
  writer.EndObject();
  writer.EndObject();
  writer.EndObject();
  return buffer.GetString();
}

} // namespace meshca
