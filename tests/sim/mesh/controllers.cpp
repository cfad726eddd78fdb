#include "mesh/controllers.h"

#include "mesh/controller_view.h"
#include "mesh/rollout_math.h"
#include "server/json_util.h"

#include <algorithm>

namespace sim::mesh {

using rapidjson::Value;

Controllers::Controllers(Store& store, ControllerConfig config) : store_(store), config_(config) {}

Controllers::~Controllers() {
  stop();
}

std::vector<std::string> Controllers::node_names() const {
  std::vector<std::string> names;
  for (int i = 0; i < config_.nodes; ++i)
    names.push_back("sim-node-" + std::to_string(i));
  return names;
}

void Controllers::on_change(const Change& change) {
  if (change.ns.empty())
    return;
  if (change.plural == "configmaps") {
    if (change.kind == Change::Kind::added)
      retry_mounts(change.ns);
    return;
  }
  if (change.plural == "pods" && change.kind == Change::Kind::deleted) {
    std::lock_guard lock(mu_);
    if (auto it = unmounted_.find(change.ns); it != unmounted_.end())
      it->second.erase(change.name);
  }
  static const std::set<std::string> watched = {"pods",         "deployments", "replicasets",
                                                "statefulsets", "daemonsets",  "jobs"};
  if (!watched.count(change.plural))
    return;
  if (change.plural == "pods" && change.kind == Change::Kind::added) {
    auto pod = parse_json(change.object_json);
    if (pod && !pod_is_ready(*pod)) {
      int delay = 0;
      {
        std::lock_guard lock(mu_);
        delay = settling_ ? 0 : config_.readiness_delay_ms;
      }
      schedule(Clock::now() + std::chrono::milliseconds(delay), change.ns, change.name,
               string_at(*pod, "metadata.uid"));
    }
  }
  mark_dirty(change.ns);
}

void Controllers::mark_dirty(const std::string& ns) {
  {
    std::lock_guard lock(mu_);
    dirty_.insert(ns);
  }
  wake_.notify_one();
}

void Controllers::schedule(Clock::time_point due, const std::string& ns, const std::string& pod,
                           const std::string& uid) {
  {
    std::lock_guard lock(mu_);
    timers_.push_back({due, ns, pod, uid});
    std::push_heap(timers_.begin(), timers_.end(), std::greater<>());
  }
  wake_.notify_one();
}

void Controllers::retry_later(const std::string& ns, int delay_ms) {
  schedule(Clock::now() + std::chrono::milliseconds(delay_ms), ns, "", "");
}

bool Controllers::is_stuck(const std::string& ns, const std::string& name) const {
  std::lock_guard lock(mu_);
  return stuck_.count(ns + "/" + name) > 0;
}

void Controllers::set_stuck(const std::string& ns, const std::string& name, bool stuck) {
  {
    std::lock_guard lock(mu_);
    if (stuck)
      stuck_.insert(ns + "/" + name);
    else
      stuck_.erase(ns + "/" + name);
  }
  mark_dirty(ns);
}

bool Controllers::pass(bool settling) {
  std::vector<Timer> due;
  std::set<std::string> dirty;
  {
    std::lock_guard lock(mu_);
    auto now = Clock::now();
    while (!timers_.empty() && (timers_.front().due <= now || settling)) {
      std::pop_heap(timers_.begin(), timers_.end(), std::greater<>());
      due.push_back(timers_.back());
      timers_.pop_back();
    }
    dirty.swap(dirty_);
  }
  for (const auto& timer : due) {
    if (!timer.pod.empty())
      mark_ready(timer.ns, timer.pod, timer.uid);
    else
      dirty.insert(timer.ns);
  }
  {
    std::lock_guard lock(mu_);
    for (const auto& ns : dirty_)
      dirty.insert(ns); // readiness writes re-dirtied these
    dirty_.clear();
  }
  for (const auto& ns : dirty)
    reconcile_namespace(ns);
  return !due.empty() || !dirty.empty();
}

void Controllers::settle() {
  {
    std::lock_guard lock(mu_);
    settling_ = true;
  }
  for (int round = 0; round < 200 && pass(true); ++round) {
  }
  std::lock_guard lock(mu_);
  settling_ = false;
}

void Controllers::start() {
  std::lock_guard lock(mu_);
  if (running_)
    return;
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

bool Controllers::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

void Controllers::stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_)
      return;
    running_ = false;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void Controllers::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      auto deadline = Clock::now() + std::chrono::milliseconds(20);
      if (!timers_.empty() && timers_.front().due < deadline)
        deadline = timers_.front().due;
      wake_.wait_until(lock, deadline, [this] { return !running_ || !dirty_.empty(); });
      if (!running_)
        return;
    }
    pass(false);
  }
}

void Controllers::reconcile_namespace(const std::string& ns) {
  View view = load_view(store_, ns);
  collect_garbage(view);
  for (auto& d : view.deployments)
    reconcile_deployment(view, d);
  // Deployments may have created ReplicaSets; those are appended to view.replicasets.
  for (std::size_t i = 0; i < view.replicasets.size(); ++i)
    reconcile_replicaset(view, view.replicasets[i]);
  for (auto& s : view.statefulsets)
    reconcile_statefulset(view, s);
  for (auto& d : view.daemonsets)
    reconcile_daemonset(view, d);
  for (auto& j : view.jobs)
    reconcile_job(view, j);
}

void Controllers::collect_garbage(View& view) {
  std::set<std::string> owners;
  for (auto* list :
       {&view.deployments, &view.replicasets, &view.statefulsets, &view.daemonsets, &view.jobs})
    for (const auto& o : *list)
      owners.insert(o.uid);
  for (auto it = view.replicasets.begin(); it != view.replicasets.end();) {
    if (!it->owner_uid.empty() && !owners.count(it->owner_uid)) {
      store_.remove("replicasets", view.ns, it->name, Origin::controller);
      owners.erase(it->uid);
      it = view.replicasets.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = view.pods.begin(); it != view.pods.end();) {
    if (!it->owner_uid.empty() && !owners.count(it->owner_uid)) {
      delete_pod(view.ns, it->name);
      it = view.pods.erase(it);
    } else {
      ++it;
    }
  }
}

std::string Controllers::next_node() {
  std::lock_guard lock(mu_);
  return "sim-node-" +
         std::to_string(node_cursor_++ % static_cast<unsigned>(std::max(1, config_.nodes)));
}

std::optional<std::string> Controllers::create_pod(
    const std::string& ns, const std::string& name, const Value& pod_template, const Owned& owner,
    const std::vector<std::pair<std::string, std::string>>& extra_labels, const std::string& node) {
  rapidjson::Document pod(rapidjson::kObjectType);
  auto& alloc = pod.GetAllocator();
  set_string(pod, "apiVersion", "v1", alloc);
  set_string(pod, "kind", "Pod", alloc);
  Value metadata(rapidjson::kObjectType);
  if (const Value* tmeta = member(pod_template, "metadata"))
    metadata.CopyFrom(*tmeta, alloc);
  set_string(metadata, "name", name, alloc);
  if (owner.kind != "StatefulSet")
    set_string(metadata, "generateName", owner.name + "-", alloc);
  set_string(metadata, "namespace", ns, alloc);
  auto& labels = ensure_object(metadata, "labels", alloc);
  for (const auto& [k, v] : extra_labels)
    set_string(labels, k, v, alloc);
  Value ref(rapidjson::kObjectType);
  set_string(ref, "apiVersion", owner.api_version, alloc);
  set_string(ref, "kind", owner.kind, alloc);
  set_string(ref, "name", owner.name, alloc);
  set_string(ref, "uid", owner.uid, alloc);
  set_member(ref, "controller", Value(true), alloc);
  set_member(ref, "blockOwnerDeletion", Value(true), alloc);
  Value refs(rapidjson::kArrayType);
  refs.PushBack(ref, alloc);
  set_member(metadata, "ownerReferences", std::move(refs), alloc);
  set_member(pod, "metadata", std::move(metadata), alloc);
  Value spec(rapidjson::kObjectType);
  if (const Value* tspec = member(pod_template, "spec"))
    spec.CopyFrom(*tspec, alloc);
  set_string(spec, "nodeName", node, alloc);
  set_member(pod, "spec", std::move(spec), alloc);
  set_member(pod, "status", pending_status(alloc), alloc);
  auto result = store_.create("pods", ns, to_json(pod), Origin::controller);
  if (auto* error = std::get_if<Store::WriteError>(&result)) {
    if (error->reason == "AlreadyExists")
      return std::nullopt;
    return error->message;
  }
  return std::nullopt;
}

void Controllers::delete_pod(const std::string& ns, const std::string& name) {
  store_.remove("pods", ns, name, Origin::controller);
}

void Controllers::write_status(const std::string& plural, const std::string& ns,
                               const std::string& name, const std::string& status_json) {
  store_.update(
      plural, ns, name,
      [&](rapidjson::Document& doc) {
        auto fresh = parse_json(status_json);
        if (!fresh)
          return false;
        Value status(*fresh, doc.GetAllocator());
        carry_condition_times(status, member(doc, "status"), now_rfc3339(), doc.GetAllocator());
        const Value* old = member(doc, "status");
        if (old && to_json(*old) == to_json(status))
          return false;
        set_member(doc, "status", std::move(status), doc.GetAllocator());
        return true;
      },
      Origin::controller);
}

} // namespace sim::mesh
