// StatefulSet, DaemonSet and Job reconciliation (the rest of Controllers is in controllers.cpp).
#include "mesh/controller_view.h"
#include "mesh/json_text.h"
#include "mesh/rollout_math.h"
#include "server/json_util.h"

#include <algorithm>
#include <map>

namespace sim::mesh {

using rapidjson::Value;

namespace {

bool on_delete(const Controllers::Owned& set) {
  return string_at(set.doc, "spec.updateStrategy.type") == "OnDelete";
}

// Ordinal of a StatefulSet pod name "<set>-<n>", or -1.
int ordinal_of(const std::string& pod, const std::string& set) {
  if (pod.size() <= set.size() + 1 || pod.compare(0, set.size() + 1, set + "-") != 0)
    return -1;
  std::string tail = pod.substr(set.size() + 1);
  if (tail.empty() || !std::all_of(tail.begin(), tail.end(), ::isdigit))
    return -1;
  return std::atoi(tail.c_str());
}

} // namespace

void Controllers::reconcile_statefulset(View& view, Owned& sts) {
  const Value* tmpl = find_path(sts.doc, "spec.template");
  if (!tmpl)
    return;
  int desired = spec_replicas(sts.doc);
  std::string update_revision = sts.name + "-" + template_hash(*tmpl);
  std::string current_revision = string_at(sts.doc, "status.currentRevision");
  if (current_revision.empty())
    current_revision = update_revision;
  std::map<int, const PodInfo*> by_ordinal;
  for (const auto* p : view.pods_of(sts.uid))
    by_ordinal[ordinal_of(p->name, sts.name)] = p;
  auto revision_of = [](const PodInfo* p) {
    auto it = p->labels.find("controller-revision-hash");
    return it == p->labels.end() ? std::string() : it->second;
  };

  if (!is_stuck(view.ns, sts.name)) {
    bool acted = false;
    // Scale down from the highest ordinal, one pod per pass.
    if (!by_ordinal.empty() && by_ordinal.rbegin()->first >= desired) {
      delete_pod(view.ns, by_ordinal.rbegin()->second->name);
      acted = true;
    }
    // OrderedReady: create the first missing ordinal once all below it are Ready.
    for (int i = 0; i < desired && !acted; ++i) {
      auto it = by_ordinal.find(i);
      if (it == by_ordinal.end()) {
        std::string name = sts.name + "-" + std::to_string(i);
        auto failure = create_pod(view.ns, name, *tmpl, sts,
                                  {{"controller-revision-hash", update_revision},
                                   {"statefulset.kubernetes.io/pod-name", name},
                                   {"apps.kubernetes.io/pod-index", std::to_string(i)}},
                                  next_node());
        if (failure)
          retry_later(view.ns, 1000);
        acted = true;
      } else if (!it->second->ready) {
        acted = true; // wait for it
      }
    }
    // RollingUpdate: replace the highest outdated pod once all are Ready.
    if (!acted && !on_delete(sts))
      for (auto it = by_ordinal.rbegin(); it != by_ordinal.rend(); ++it)
        if (it->first < desired && revision_of(it->second) != update_revision) {
          delete_pod(view.ns, it->second->name);
          break;
        }
  }

  int count = 0, ready = 0, updated = 0, current = 0;
  for (const auto& [ordinal, p] : by_ordinal) {
    if (ordinal < 0)
      continue;
    ++count;
    ready += p->ready ? 1 : 0;
    updated += revision_of(p) == update_revision ? 1 : 0;
    current += revision_of(p) == current_revision ? 1 : 0;
  }
  if (updated == desired && count == desired && ready == desired) {
    current_revision = update_revision;
    current = updated;
  }
  std::vector<std::pair<std::string, Json>> status = {
      {"observedGeneration", num(generation_of(sts.doc))}, {"replicas", num(count)}};
  if (ready > 0)
    status.emplace_back("readyReplicas", num(ready));
  if (current > 0)
    status.emplace_back("currentReplicas", num(current));
  if (updated > 0)
    status.emplace_back("updatedReplicas", num(updated));
  if (ready > 0)
    status.emplace_back("availableReplicas", num(ready));
  status.emplace_back("currentRevision", str(current_revision));
  status.emplace_back("updateRevision", str(update_revision));
  status.emplace_back("collisionCount", num(0));
  write_status("statefulsets", view.ns, sts.name, obj(status).text);
}

void Controllers::reconcile_daemonset(View& view, Owned& ds) {
  const Value* tmpl = find_path(ds.doc, "spec.template");
  if (!tmpl)
    return;
  std::string hash = template_hash(*tmpl);
  std::string generation = std::to_string(generation_of(ds.doc));
  auto nodes = node_names();
  std::map<std::string, std::vector<const PodInfo*>> by_node;
  for (const auto* p : view.pods_of(ds.uid))
    by_node[p->node].push_back(p);
  auto outdated = [&hash](const PodInfo* p) {
    auto it = p->labels.find("controller-revision-hash");
    return it == p->labels.end() || it->second != hash;
  };

  if (!is_stuck(view.ns, ds.name)) {
    bool all_ready = true;
    for (const auto& node : nodes) {
      auto& pods = by_node[node];
      for (std::size_t i = 1; i < pods.size(); ++i)
        delete_pod(view.ns, pods[i]->name);
      if (pods.empty()) {
        all_ready = false;
        auto failure = create_pod(
            view.ns, ds.name + "-" + random_suffix5(), *tmpl, ds,
            {{"controller-revision-hash", hash}, {"pod-template-generation", generation}}, node);
        if (failure)
          retry_later(view.ns, 1000);
      } else if (!pods.front()->ready) {
        all_ready = false;
      }
    }
    // RollingUpdate with maxUnavailable 1: replace one outdated pod at a time.
    if (all_ready && !on_delete(ds))
      for (const auto& node : nodes)
        if (outdated(by_node[node].front())) {
          delete_pod(view.ns, by_node[node].front()->name);
          break;
        }
  }

  int scheduled = 0, ready = 0, updated = 0;
  for (const auto& node : nodes) {
    const auto& pods = by_node[node];
    if (pods.empty())
      continue;
    ++scheduled;
    ready += pods.front()->ready ? 1 : 0;
    updated += outdated(pods.front()) ? 0 : 1;
  }
  int desired = static_cast<int>(nodes.size());
  std::vector<std::pair<std::string, Json>> status = {
      {"currentNumberScheduled", num(scheduled)},
      {"desiredNumberScheduled", num(desired)},
      {"numberMisscheduled", num(0)},
      {"numberReady", num(ready)},
      {"observedGeneration", num(generation_of(ds.doc))}};
  if (ready > 0)
    status.emplace_back("numberAvailable", num(ready));
  if (desired - ready > 0)
    status.emplace_back("numberUnavailable", num(desired - ready));
  if (updated > 0)
    status.emplace_back("updatedNumberScheduled", num(updated));
  write_status("daemonsets", view.ns, ds.name, obj(status).text);
}

void Controllers::reconcile_job(View& view, Owned& job) {
  const Value* tmpl = find_path(job.doc, "spec.template");
  if (!tmpl)
    return;
  auto pods = view.pods_of(job.uid);
  std::string start = string_at(job.doc, "status.startTime");
  int active = static_cast<int>(pods.size());
  // A Job starts its pod once; the simulated job never finishes, and a deleted pod is not
  // replaced (rollouts must treat Job pods as "wait or skip").
  if (start.empty() && pods.empty()) {
    if (create_pod(view.ns, job.name + "-" + random_suffix5(), *tmpl, job,
                   {{"batch.kubernetes.io/controller-uid", job.uid},
                    {"batch.kubernetes.io/job-name", job.name},
                    {"controller-uid", job.uid},
                    {"job-name", job.name}},
                   next_node())) {
      retry_later(view.ns, 1000);
      return;
    }
    ++active;
  }
  if (start.empty())
    start = now_rfc3339();
  std::vector<std::pair<std::string, Json>> status = {{"startTime", str(start)}};
  if (active > 0)
    status.emplace_back("active", num(active));
  status.emplace_back("ready", num(View::ready_count(pods)));
  write_status("jobs", view.ns, job.name, obj(status).text);
}

} // namespace sim::mesh
