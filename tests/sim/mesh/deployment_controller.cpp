// Deployment and ReplicaSet reconciliation (the rest of Controllers is in controllers.cpp).
#include "mesh/controller_view.h"
#include "mesh/json_text.h"
#include "mesh/rollout_math.h"
#include "server/json_util.h"

#include <algorithm>
#include <cstdlib>
#include <tuple>

namespace sim::mesh {

using rapidjson::Value;

namespace {

int revision_of(const Controllers::Owned& rs) {
  return std::atoi(annotation(rs.doc, "deployment.kubernetes.io/revision").c_str());
}

std::string new_replicaset_json(const Controllers::Owned& deployment, const std::string& hash,
                                int revision) {
  rapidjson::Document rs(rapidjson::kObjectType);
  auto& alloc = rs.GetAllocator();
  set_string(rs, "apiVersion", "apps/v1", alloc);
  set_string(rs, "kind", "ReplicaSet", alloc);
  Value tmpl(rapidjson::kObjectType);
  if (const Value* t = find_path(deployment.doc, "spec.template"))
    tmpl.CopyFrom(*t, alloc);
  auto& tmeta = ensure_object(tmpl, "metadata", alloc);
  set_string(ensure_object(tmeta, "labels", alloc), "pod-template-hash", hash, alloc);
  Value metadata(rapidjson::kObjectType);
  set_string(metadata, "name", deployment.name + "-" + hash, alloc);
  set_string(metadata, "namespace", string_at(deployment.doc, "metadata.namespace"), alloc);
  Value labels(rapidjson::kObjectType);
  labels.CopyFrom(*member(tmeta, "labels"), alloc);
  set_member(metadata, "labels", std::move(labels), alloc);
  auto& annotations = ensure_object(metadata, "annotations", alloc);
  set_string(annotations, "deployment.kubernetes.io/revision", std::to_string(revision), alloc);
  set_string(annotations, "deployment.kubernetes.io/desired-replicas",
             std::to_string(spec_replicas(deployment.doc)), alloc);
  auto ref = parse_json(obj({{"apiVersion", str("apps/v1")},
                             {"kind", str("Deployment")},
                             {"name", str(deployment.name)},
                             {"uid", str(deployment.uid)},
                             {"controller", boolean(true)},
                             {"blockOwnerDeletion", boolean(true)}})
                            .text);
  Value refs(rapidjson::kArrayType);
  refs.PushBack(Value(*ref, alloc), alloc);
  set_member(metadata, "ownerReferences", std::move(refs), alloc);
  set_member(rs, "metadata", std::move(metadata), alloc);
  Value selector(rapidjson::kObjectType);
  if (const Value* s = find_path(deployment.doc, "spec.selector"))
    selector.CopyFrom(*s, alloc);
  set_string(ensure_object(selector, "matchLabels", alloc), "pod-template-hash", hash, alloc);
  Value spec(rapidjson::kObjectType);
  set_member(spec, "replicas", Value(0), alloc);
  set_member(spec, "selector", std::move(selector), alloc);
  set_member(spec, "template", std::move(tmpl), alloc);
  set_member(rs, "spec", std::move(spec), alloc);
  return to_json(rs);
}

void set_replicas_in_view(Controllers::Owned& rs, int replicas) {
  auto& spec = ensure_object(rs.doc, "spec", rs.doc.GetAllocator());
  set_member(spec, "replicas", Value(replicas), rs.doc.GetAllocator());
}

Json condition(const char* type, const char* status, const std::string& reason,
               const std::string& message) {
  return obj({{"type", str(type)},
              {"status", str(status)},
              {"reason", str(reason)},
              {"message", str(message)}});
}

} // namespace

void Controllers::reconcile_deployment(View& view, Owned& d) {
  const Value* tmpl = find_path(d.doc, "spec.template");
  if (!tmpl)
    return;
  int desired = spec_replicas(d.doc);
  std::string hash = template_hash(*tmpl);
  Owned* fresh = nullptr;
  std::vector<Owned*> olds;
  int max_revision = 0;
  for (auto& rs : view.replicasets) {
    if (rs.owner_uid != d.uid)
      continue;
    max_revision = std::max(max_revision, revision_of(rs));
    if (labels_of(rs.doc)["pod-template-hash"] == hash)
      fresh = &rs;
    else
      olds.push_back(&rs);
  }
  std::sort(olds.begin(), olds.end(), [](const Owned* a, const Owned* b) {
    return std::tie(a->created, a->name) < std::tie(b->created, b->name);
  });
  const Value* paused_v = find_path(d.doc, "spec.paused");
  bool paused = paused_v && paused_v->IsBool() && paused_v->GetBool();
  bool frozen = paused || is_stuck(view.ns, d.name);

  if (!fresh && !frozen) {
    auto created = store_.create(
        "replicasets", view.ns, new_replicaset_json(d, hash, max_revision + 1), Origin::controller);
    if (auto* json = std::get_if<std::string>(&created)) {
      view.replicasets.push_back(parse_owned(*json));
      fresh = &view.replicasets.back();
      olds.clear(); // push_back may have moved the elements
      for (auto& rs : view.replicasets)
        if (rs.owner_uid == d.uid && &rs != fresh)
          olds.push_back(&rs);
      std::sort(olds.begin(), olds.end(), [](const Owned* a, const Owned* b) {
        return std::tie(a->created, a->name) < std::tie(b->created, b->name);
      });
    }
  }

  const Value* strategy = find_path(d.doc, "spec.strategy");
  RollingInput in;
  in.desired = desired;
  in.recreate = strategy && string_member(*strategy, "type") == "Recreate";
  const Value* rolling = strategy ? member(*strategy, "rollingUpdate") : nullptr;
  in.max_surge = int_or_percent(rolling ? member(*rolling, "maxSurge") : nullptr, desired, true);
  in.max_unavailable =
      int_or_percent(rolling ? member(*rolling, "maxUnavailable") : nullptr, desired, false);
  if (fresh) {
    in.new_replicas = spec_replicas(fresh->doc);
    in.new_ready = View::ready_count(view.pods_of(fresh->uid));
  }
  for (auto* rs : olds) {
    in.old_replicas.push_back(spec_replicas(rs->doc));
    in.old_ready.push_back(View::ready_count(view.pods_of(rs->uid)));
  }
  if (fresh && !frozen) {
    RollingOutput out = rolling_step(in);
    auto scale = [&](Owned& rs, int replicas) {
      if (spec_replicas(rs.doc) == replicas)
        return;
      store_.update(
          "replicasets", view.ns, rs.name,
          [replicas](rapidjson::Document& doc) {
            set_member(ensure_object(doc, "spec", doc.GetAllocator()), "replicas", Value(replicas),
                       doc.GetAllocator());
            return true;
          },
          Origin::controller);
      set_replicas_in_view(rs, replicas);
    };
    scale(*fresh, out.new_replicas);
    for (std::size_t i = 0; i < olds.size(); ++i)
      scale(*olds[i], out.old_replicas[i]);
  }

  // Status, as kubectl rollout status reads it.
  int total = 0, ready = 0, spec_total = 0;
  for (auto& rs : view.replicasets) {
    if (rs.owner_uid != d.uid)
      continue;
    auto pods = view.pods_of(rs.uid);
    total += static_cast<int>(pods.size());
    ready += View::ready_count(pods);
    spec_total += spec_replicas(rs.doc);
  }
  int updated = fresh ? static_cast<int>(view.pods_of(fresh->uid).size()) : 0;
  int min_available = desired - in.max_unavailable;
  bool complete = fresh && updated == desired && total == desired && ready == desired;
  std::string rs_name = fresh ? fresh->name : d.name;

  std::string signature = hash + "/" + std::to_string(updated) + "/" + std::to_string(ready) + "/" +
                          std::to_string(total);
  auto now = Clock::now();
  auto& [last_signature, since] = progress_[d.uid];
  if (last_signature != signature) {
    last_signature = signature;
    since = now;
  }
  int deadline_s = find_path(d.doc, "spec.progressDeadlineSeconds") &&
                           find_path(d.doc, "spec.progressDeadlineSeconds")->IsInt()
                       ? find_path(d.doc, "spec.progressDeadlineSeconds")->GetInt()
                       : 600;
  bool timed_out = !complete && now - since > std::chrono::seconds(deadline_s);
  if (!complete && !timed_out)
    retry_later(view.ns, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              since + std::chrono::seconds(deadline_s) - now)
                                              .count()) +
                             10);

  std::vector<Json> conditions = {
      ready >= min_available ? condition("Available", "True", "MinimumReplicasAvailable",
                                         "Deployment has minimum availability.")
                             : condition("Available", "False", "MinimumReplicasUnavailable",
                                         "Deployment does not have minimum availability.")};
  if (paused)
    conditions.push_back(
        condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused"));
  else if (complete)
    conditions.push_back(condition("Progressing", "True", "NewReplicaSetAvailable",
                                   "ReplicaSet \"" + rs_name + "\" has successfully progressed."));
  else if (timed_out)
    conditions.push_back(condition("Progressing", "False", "ProgressDeadlineExceeded",
                                   "ReplicaSet \"" + rs_name + "\" has timed out progressing."));
  else
    conditions.push_back(condition("Progressing", "True", "ReplicaSetUpdated",
                                   "ReplicaSet \"" + rs_name + "\" is progressing."));
  if (fresh) {
    std::lock_guard lock(mu_);
    if (auto it = failures_.find(fresh->uid); it != failures_.end())
      conditions.push_back(condition("ReplicaFailure", "True", "FailedCreate", it->second.first));
  }
  std::vector<std::pair<std::string, Json>> status = {
      {"observedGeneration", num(generation_of(d.doc))}};
  auto add = [&status](const char* key, int value) {
    if (value > 0)
      status.emplace_back(key, num(value));
  };
  add("replicas", total);
  add("updatedReplicas", updated);
  add("readyReplicas", ready);
  add("availableReplicas", ready);
  add("unavailableReplicas", std::max(0, std::max(spec_total, desired) - ready));
  status.emplace_back("conditions", arr(conditions));
  write_status("deployments", view.ns, d.name, obj(status).text);
}

void Controllers::reconcile_replicaset(View& view, Owned& rs) {
  const Value* tmpl = find_path(rs.doc, "spec.template");
  if (!tmpl)
    return;
  int desired = spec_replicas(rs.doc);
  auto pods = view.pods_of(rs.uid);
  int count = static_cast<int>(pods.size());
  std::optional<std::string> failure;
  bool backing_off = false;
  {
    std::lock_guard lock(mu_);
    auto it = failures_.find(rs.uid);
    if (it != failures_.end() && Clock::now() < it->second.second) {
      backing_off = true;
      failure = it->second.first;
    }
  }
  if (count < desired && !backing_off) {
    for (int i = count; i < desired; ++i) {
      failure = create_pod(view.ns, rs.name + "-" + random_suffix5(), *tmpl, rs, {}, next_node());
      if (failure)
        break;
      ++count;
    }
    std::lock_guard lock(mu_);
    if (failure)
      failures_[rs.uid] = {*failure, Clock::now() + std::chrono::milliseconds(1000)};
    else
      failures_.erase(rs.uid);
  }
  if (failure)
    retry_later(view.ns, 1000);
  if (count > desired) {
    std::vector<const PodInfo*> victims(pods.begin(), pods.end());
    std::sort(victims.begin(), victims.end(), [](const PodInfo* a, const PodInfo* b) {
      if (a->ready != b->ready)
        return !a->ready;
      return std::tie(a->created, a->name) > std::tie(b->created, b->name);
    });
    for (int i = 0; i < count - desired; ++i)
      delete_pod(view.ns, victims[static_cast<std::size_t>(i)]->name);
    count = desired;
  }
  int ready = 0;
  for (const auto* p : view.pods_of(rs.uid))
    ready += p->ready ? 1 : 0;
  ready = std::min(ready, count);
  std::vector<std::pair<std::string, Json>> status = {{"replicas", num(count)}};
  if (count > 0)
    status.emplace_back("fullyLabeledReplicas", num(count));
  if (ready > 0)
    status.emplace_back("readyReplicas", num(ready));
  if (ready > 0)
    status.emplace_back("availableReplicas", num(ready));
  status.emplace_back("observedGeneration", num(generation_of(rs.doc)));
  if (failure && count < desired)
    status.emplace_back("conditions",
                        arr({condition("ReplicaFailure", "True", "FailedCreate", *failure)}));
  write_status("replicasets", view.ns, rs.name, obj(status).text);
}

} // namespace sim::mesh
