#include "server/json_util.h"
#include "server/standalone.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace sim {
namespace {

using Clock = std::chrono::steady_clock;
using RolloutKey = std::tuple<std::string, std::string, std::string>; // plural, namespace, name

bool is_workload(const std::string& plural) {
  return plural == "deployments" || plural == "statefulsets" || plural == "daemonsets";
}

long long int_at(const rapidjson::Value& doc, const char* path, long long fallback) {
  const auto* value = find_path(doc, path);
  return value && value->IsInt64() ? value->GetInt64() : fallback;
}

// Writes a settled status for the workload's current generation.
bool settle(const std::string& plural, rapidjson::Document& doc, bool stuck) {
  auto& alloc = doc.GetAllocator();
  long long generation = int_at(doc, "metadata.generation", 1);
  long long replicas = plural == "daemonsets" ? 1 : int_at(doc, "spec.replicas", 1);
  long long updated = stuck ? std::max(0LL, replicas - 1) : replicas;
  rapidjson::Value status(rapidjson::kObjectType);
  auto put = [&](const char* key, long long value) {
    status.AddMember(rapidjson::StringRef(key), rapidjson::Value(static_cast<int64_t>(value)),
                     alloc);
  };
  put("observedGeneration", generation);
  if (plural == "daemonsets") {
    put("desiredNumberScheduled", replicas);
    put("currentNumberScheduled", replicas);
    put("updatedNumberScheduled", updated);
    put("numberReady", updated);
    put("numberAvailable", updated);
  } else {
    put("replicas", replicas);
    put("updatedReplicas", updated);
    put("readyReplicas", updated);
    put("availableReplicas", updated);
    if (plural == "statefulsets") {
      put("currentReplicas", updated);
      std::string revision = string_at(doc, "metadata.name") + "-" + std::to_string(generation);
      std::string current = stuck ? revision + "-previous" : revision;
      status.AddMember("updateRevision", rapidjson::Value(revision.c_str(), alloc), alloc);
      status.AddMember("currentRevision", rapidjson::Value(current.c_str(), alloc), alloc);
    }
  }
  if (auto* existing = member(doc, "status"); existing && *existing == status)
    return false;
  set_member(doc, "status", std::move(status), alloc);
  return true;
}

} // namespace

struct RolloutStatusController::Impl {
  Store& store;
  std::chrono::milliseconds delay;
  std::mutex mu;
  std::condition_variable cv;
  std::map<RolloutKey, Clock::time_point> due;
  std::set<std::pair<std::string, std::string>> stuck;
  bool stopping = false;
  std::thread worker;

  Impl(Store& s, int delay_ms) : store(s), delay(delay_ms) {}

  void schedule(const std::string& plural, const std::string& ns, const std::string& name) {
    std::lock_guard lock(mu);
    due[RolloutKey{plural, ns, name}] = Clock::now() + delay; // the last change restarts the clock
    cv.notify_one();
  }

  void run() {
    std::unique_lock lock(mu);
    while (!stopping) {
      auto now = Clock::now();
      std::vector<RolloutKey> ready;
      for (auto it = due.begin(); it != due.end();)
        if (it->second <= now) {
          ready.push_back(it->first);
          it = due.erase(it);
        } else {
          ++it;
        }
      if (ready.empty()) {
        cv.wait_for(lock, std::chrono::milliseconds(20));
        continue;
      }
      lock.unlock();
      for (const auto& [plural, ns, name] : ready) {
        bool is_stuck;
        {
          std::lock_guard guard(mu);
          is_stuck = stuck.count({ns, name}) > 0;
        }
        store.update(
            plural, ns, name,
            [&, p = plural](rapidjson::Document& doc) { return settle(p, doc, is_stuck); },
            Origin::controller);
      }
      lock.lock();
    }
  }
};

RolloutStatusController::RolloutStatusController(Store& store, int delay_ms)
    : impl_(std::make_unique<Impl>(store, delay_ms)) {}

RolloutStatusController::~RolloutStatusController() {
  stop();
}

void RolloutStatusController::start() {
  auto* impl = impl_.get();
  impl->store.observe([impl](const Change& change) {
    if (change.kind == Change::Kind::deleted || !is_workload(change.plural))
      return;
    auto doc = parse_json(change.object_json);
    if (doc &&
        int_at(*doc, "metadata.generation", 1) != int_at(*doc, "status.observedGeneration", 0))
      impl->schedule(change.plural, change.ns, change.name);
  });
  for (const char* plural : {"deployments", "statefulsets", "daemonsets"})
    for (const auto& text : impl->store.list(plural))
      if (auto doc = parse_json(text))
        impl->schedule(plural, string_at(*doc, "metadata.namespace"),
                       string_at(*doc, "metadata.name"));
  impl->worker = std::thread([impl] { impl->run(); });
}

void RolloutStatusController::stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
    impl_->cv.notify_all();
  }
  if (impl_->worker.joinable())
    impl_->worker.join();
}

void RolloutStatusController::set_stuck(const std::string& ns, const std::string& name,
                                        bool stuck) {
  {
    std::lock_guard lock(impl_->mu);
    if (stuck)
      impl_->stuck.insert({ns, name});
    else
      impl_->stuck.erase({ns, name});
  }
  for (const char* plural : {"deployments", "statefulsets", "daemonsets"})
    if (impl_->store.get(plural, ns, name))
      impl_->schedule(plural, ns, name);
}

} // namespace sim
