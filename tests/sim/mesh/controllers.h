#pragma once
// The workload controllers of the simulated cluster: Deployment -> ReplicaSet -> Pod,
// StatefulSet and DaemonSet -> Pod, Job -> Pod, pod readiness, and garbage collection by
// ownerReferences. One thread reconciles the namespaces that changed (store Changes mark them
// dirty) plus timers (pods turning Ready after the readiness delay, retries after a failed pod
// creation). Every status write is idempotent, so a settled cluster causes no writes.

#include "server/store.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <rapidjson/document.h>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace sim::mesh {

struct ControllerConfig {
  int readiness_delay_ms = 0;
  int nodes = 3;
};

class Controllers {
 public:
  Controllers(Store& store, ControllerConfig config);
  ~Controllers();
  Controllers(const Controllers&) = delete;
  Controllers& operator=(const Controllers&) = delete;

  // Store observer: marks the change's namespace dirty and schedules readiness for new pods.
  void on_change(const Change& change);
  // Runs reconcile passes on the calling thread until nothing is dirty or due (pods turn Ready
  // at once while settling). Used while loading a scenario, before start().
  void settle();
  void start();
  void stop();
  bool running() const; // between start() and stop()

  // Fault: the workload's rollout never progresses (no new pods, no replacements).
  void set_stuck(const std::string& ns, const std::string& name, bool stuck);

  // Names of the simulated nodes ("sim-node-0", ...).
  std::vector<std::string> node_names() const;

  struct Owned; // a parsed workload object
  struct PodInfo;
  struct View;

 private:
  using Clock = std::chrono::steady_clock;

  void run();
  bool pass(bool settling); // returns true when work was done
  void reconcile_namespace(const std::string& ns);
  void schedule(Clock::time_point due, const std::string& ns, const std::string& pod,
                const std::string& uid);
  void mark_dirty(const std::string& ns);
  // Kubelet's part (kubelet.cpp): starts the pod (Running, Ready after the delay) unless a
  // ConfigMap it mounts is missing; then it stays Pending until one is created in its namespace.
  void mark_ready(const std::string& ns, const std::string& pod, const std::string& uid);
  void retry_mounts(const std::string& ns);
  void record_failed_mount(const rapidjson::Value& pod, const std::string& volume,
                           const std::string& config_map);
  bool is_stuck(const std::string& ns, const std::string& name) const;

  // Per kind (deployment_controller.cpp, set_controllers.cpp).
  void reconcile_deployment(View& view, Owned& deployment);
  void reconcile_replicaset(View& view, Owned& rs);
  void reconcile_statefulset(View& view, Owned& sts);
  void reconcile_daemonset(View& view, Owned& ds);
  void reconcile_job(View& view, Owned& job);
  void collect_garbage(View& view);

  // Creates a pod from `pod_template` owned by `owner`; returns the admission error, if any.
  std::optional<std::string>
  create_pod(const std::string& ns, const std::string& name, const rapidjson::Value& pod_template,
             const Owned& owner,
             const std::vector<std::pair<std::string, std::string>>& extra_labels,
             const std::string& node);
  void delete_pod(const std::string& ns, const std::string& name);
  // Writes `status_json` as the object's status unless equal (condition times carried over).
  void write_status(const std::string& plural, const std::string& ns, const std::string& name,
                    const std::string& status_json);
  std::string next_node();
  void retry_later(const std::string& ns, int delay_ms);

  Store& store_;
  ControllerConfig config_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::set<std::string> dirty_;
  struct Timer {
    Clock::time_point due;
    std::string ns, pod, uid; // pod empty: just re-mark ns dirty
    bool operator>(const Timer& other) const { return due > other.due; }
  };
  std::vector<Timer> timers_; // a min-heap on due
  std::set<std::string> stuck_;
  bool settling_ = false;
  bool running_ = false;
  std::thread thread_;
  // Progress tracking for ProgressDeadlineExceeded: uid -> (signature, last change).
  std::map<std::string, std::pair<std::string, Clock::time_point>> progress_;
  // Failed pod creations per owner uid: (admission message, earliest retry).
  std::map<std::string, std::pair<std::string, Clock::time_point>> failures_;
  // Pods whose ConfigMap volumes could not mount: namespace -> pod name -> uid.
  std::map<std::string, std::map<std::string, std::string>> unmounted_;
  unsigned event_counter_ = 0;
  unsigned node_cursor_ = 0;
  unsigned ip_counter_ = 0;
};

} // namespace sim::mesh
