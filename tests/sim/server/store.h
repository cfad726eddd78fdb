#pragma once
// The simulated cluster's object store: every object as complete JSON text, one global
// resourceVersion counter, admission on create, observers and watches on every change.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <variant>
#include <vector>

namespace sim {

// A resource type the server knows: "pods" (core/v1), "deployments" (apps/v1),
// "istiooperators" (install.istio.io/v1alpha1)... The group is empty for the core group.
struct ResourceType {
  std::string group;
  std::string version;
  std::string kind;
  std::string plural;
  bool namespaced;
};

// Who made a change: client requests are logged in the mutation log; controller/admission
// changes are not.
enum class Origin { client, controller };

// One stored change, delivered to observers after the store lock is released.
struct Change {
  enum class Kind { added, modified, deleted } kind;
  std::string plural;
  std::string ns;
  std::string name;
  std::string object_json;            // the object after the change (before, for deleted)
  std::uint64_t resource_version = 0; // the store's resourceVersion after this change
};

// Admission for creates (and for client updates of pods): may mutate `object`, or reject by
// returning an error message. The server answers HTTP 500 InternalError with the message
// prefixed by "Internal error occurred: " (unless it already starts so), like the real API for
// `failed calling webhook ...`.
using AdmissionHook = std::function<std::optional<std::string>(
    const std::string& plural, const std::string& ns, rapidjson::Document& object)>;

class Store {
 public:
  Store();
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Reads. Objects are complete JSON text (apiVersion, kind, metadata with uid,
  // resourceVersion, creationTimestamp, generation). Lists are sorted by namespace, then name.
  std::optional<std::string> get(const std::string& plural, const std::string& ns,
                                 const std::string& name) const;
  std::vector<std::string> list(const std::string& plural,
                                const std::string& ns = {}) const; // ns empty: all namespaces

  // Writes. Each assigns metadata (uid, resourceVersion, creationTimestamp, generation: bumped
  // when .spec changes), runs admission on create, notifies observers and watchers.
  // Errors: reason "AlreadyExists" (409), "NotFound" (404), "Conflict" (409, a stale
  // metadata.resourceVersion in a replace), "BadRequest" (400, unparsable JSON or no name),
  // "InternalError" (500, admission). All return the stored object's JSON.
  // A namespaced object created by a client needs its namespace to exist (404 otherwise).
  // Deleting a namespace deletes every object in it.
  struct WriteError {
    int http_status;
    std::string reason;
    std::string message;
  };
  using WriteResult = std::variant<std::string, WriteError>;
  WriteResult create(const std::string& plural, const std::string& ns, std::string json, Origin);
  WriteResult replace(const std::string& plural, const std::string& ns, const std::string& name,
                      std::string json, Origin);
  WriteResult remove(const std::string& plural, const std::string& ns, const std::string& name,
                     Origin);
  // Read-modify-write under the store lock (for controllers updating status without races).
  // fn returns false to skip (the current object is returned and nothing is notified).
  WriteResult update(const std::string& plural, const std::string& ns, const std::string& name,
                     const std::function<bool(rapidjson::Document&)>& fn, Origin);
  void set_admission(AdmissionHook hook);
  // Observers run on the writer's thread after the lock is released; they may call back into
  // the store. Order between concurrent writers is not guaranteed.
  void observe(std::function<void(const Change&)> observer);

  // --- For the API server ---

  // The current resourceVersion (the last change's number; 1 for an empty store).
  std::uint64_t resource_version() const;

  // A consistent snapshot: the objects and the resourceVersion they were read at.
  struct Snapshot {
    std::vector<std::string> items;
    std::uint64_t resource_version = 0;
  };
  Snapshot snapshot(const std::string& plural, const std::string& ns = {}) const;

  // A watch: `sink` receives changes of `plural` (in `ns`, all namespaces when empty) in
  // resourceVersion order. With `since` > 0, changes after `since` are replayed from the
  // retained history first; with `since` == 0 every current object is sent as `added` first.
  // The sink is called with the store lock held: it must only queue the change, never call
  // back into the store. Returns the watch id, or a WriteError 410 "Expired" when `since` is
  // older than the retained history.
  using WatchSink = std::function<void(const Change&)>;
  std::variant<std::uint64_t, WriteError> watch(const std::string& plural, const std::string& ns,
                                                std::uint64_t since, WatchSink sink);
  void unwatch(std::uint64_t watch_id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace sim
