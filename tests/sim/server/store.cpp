#include "server/store.h"

#include "server/defaults.h"
#include "server/json_util.h"
#include "server/resources.h"

#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <utility>

namespace sim {
namespace {

using Key = std::pair<std::string, std::string>; // namespace, name
using Objects = std::map<Key, std::string>;

constexpr std::size_t kHistoryLimit = 8192;

Store::WriteError error(int status, std::string reason, std::string message) {
  return Store::WriteError{status, std::move(reason), std::move(message)};
}

// `pods "x"`, as the real API names objects in messages.
std::string describe(const std::string& plural, const std::string& name) {
  const auto* info = find_resource(plural);
  std::string resource =
      info && !info->type.group.empty() ? plural + "." + info->type.group : plural;
  return resource + " \"" + name + "\"";
}

std::string kind_of(const std::string& plural) {
  const auto* info = find_resource(plural);
  return info ? info->type.kind : plural;
}

std::string random_suffix() {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string suffix;
  for (int i = 0; i < 5; ++i)
    suffix += kAlphabet[pick(rng)];
  return suffix;
}

bool spec_changed(const rapidjson::Value& before, const rapidjson::Value& after) {
  const auto* old_spec = member(before, "spec");
  const auto* new_spec = member(after, "spec");
  if (!old_spec || !new_spec)
    return old_spec != new_spec;
  return *old_spec != *new_spec;
}

long long generation_of(const rapidjson::Value& doc) {
  const auto* generation = find_path(doc, "metadata.generation");
  return generation && generation->IsInt64() ? generation->GetInt64() : 1;
}

// Sets apiVersion/kind from the resource table and the metadata every stored object carries.
void stamp_identity(rapidjson::Document& doc, const std::string& plural, const std::string& ns) {
  auto& alloc = doc.GetAllocator();
  if (const auto* info = find_resource(plural)) {
    set_string(doc, "apiVersion", info->api_version(), alloc);
    set_string(doc, "kind", info->type.kind, alloc);
  }
  auto& metadata = ensure_object(doc, "metadata", alloc);
  if (!ns.empty())
    set_string(metadata, "namespace", ns, alloc);
  else
    metadata.RemoveMember("namespace");
}

} // namespace

struct Store::Impl {
  struct Watch {
    std::string plural, ns;
    WatchSink sink;
  };

  mutable std::mutex mu;
  std::map<std::string, Objects> objects; // by plural
  std::uint64_t rv = 1;
  std::deque<Change> history;
  std::uint64_t dropped_up_to = 0; // the highest resourceVersion no longer in `history`
  std::map<std::uint64_t, Watch> watches;
  std::uint64_t next_watch_id = 1;

  std::mutex hooks_mu;
  AdmissionHook admission;
  std::vector<std::function<void(const Change&)>> observers;

  // Records a change made under `mu`: bumps nothing (the caller did), keeps history, feeds
  // watches. Returns the change for observers (run after the lock is released).
  Change record(Change::Kind kind, const std::string& plural, const std::string& ns,
                const std::string& name, const std::string& json) {
    Change change{kind, plural, ns, name, json, rv};
    history.push_back(change);
    if (history.size() > kHistoryLimit) {
      dropped_up_to = history.front().resource_version;
      history.pop_front();
    }
    for (auto& [id, watch] : watches)
      if (watch.plural == plural && (watch.ns.empty() || watch.ns == ns))
        watch.sink(change);
    return change;
  }

  void notify(const std::vector<Change>& changes) {
    std::vector<std::function<void(const Change&)>> copy;
    {
      std::lock_guard lock(hooks_mu);
      copy = observers;
    }
    for (const auto& change : changes)
      for (const auto& observer : copy)
        observer(change);
  }

  std::optional<std::string> admit(const std::string& plural, const std::string& ns,
                                   rapidjson::Document& doc) {
    AdmissionHook hook;
    {
      std::lock_guard lock(hooks_mu);
      hook = admission;
    }
    return hook ? hook(plural, ns, doc) : std::nullopt;
  }

  // Stamps resourceVersion (and generation when .spec changed since `old`) into `doc`.
  void stamp_version(rapidjson::Document& doc, const rapidjson::Value* old) {
    auto& alloc = doc.GetAllocator();
    auto& metadata = ensure_object(doc, "metadata", alloc);
    ++rv;
    set_string(metadata, "resourceVersion", std::to_string(rv), alloc);
    long long generation = old ? generation_of(*old) : 1;
    if (old && spec_changed(*old, doc))
      ++generation;
    set_member(metadata, "generation", rapidjson::Value(static_cast<int64_t>(generation)), alloc);
  }

  std::vector<Change> remove_namespace_contents(const std::string& ns) {
    std::vector<Change> changes;
    for (auto& [plural, objects_of_kind] : objects) {
      for (auto it = objects_of_kind.begin(); it != objects_of_kind.end();) {
        if (it->first.first != ns) {
          ++it;
          continue;
        }
        ++rv;
        changes.push_back(record(Change::Kind::deleted, plural, ns, it->first.second, it->second));
        it = objects_of_kind.erase(it);
      }
    }
    return changes;
  }
};

Store::Store() : impl_(std::make_unique<Impl>()) {}
Store::~Store() = default;

std::optional<std::string> Store::get(const std::string& plural, const std::string& ns,
                                      const std::string& name) const {
  std::lock_guard lock(impl_->mu);
  auto kind = impl_->objects.find(plural);
  if (kind == impl_->objects.end())
    return std::nullopt;
  auto it = kind->second.find({ns, name});
  if (it == kind->second.end())
    return std::nullopt;
  return it->second;
}

std::vector<std::string> Store::list(const std::string& plural, const std::string& ns) const {
  return snapshot(plural, ns).items;
}

Store::Snapshot Store::snapshot(const std::string& plural, const std::string& ns) const {
  Snapshot result;
  std::lock_guard lock(impl_->mu);
  result.resource_version = impl_->rv;
  auto kind = impl_->objects.find(plural);
  if (kind == impl_->objects.end())
    return result;
  auto it = ns.empty() ? kind->second.begin() : kind->second.lower_bound({ns, ""});
  for (; it != kind->second.end(); ++it) {
    if (!ns.empty() && it->first.first != ns)
      break;
    result.items.push_back(it->second);
  }
  return result;
}

std::uint64_t Store::resource_version() const {
  std::lock_guard lock(impl_->mu);
  return impl_->rv;
}

Store::WriteResult Store::create(const std::string& plural, const std::string& ns, std::string json,
                                 Origin origin) {
  auto parsed = parse_json(json);
  if (!parsed || !parsed->IsObject())
    return error(400, "BadRequest", "the body of the request was not a valid JSON object");
  auto& doc = *parsed;
  const auto* info = find_resource(plural);
  if (info && info->type.namespaced && ns.empty())
    return error(400, "BadRequest", "a namespace is required to create " + plural);
  stamp_identity(doc, plural, info && !info->type.namespaced ? std::string() : ns);
  auto& metadata = ensure_object(doc, "metadata", doc.GetAllocator());
  std::string name = string_member(metadata, "name");
  if (name.empty() && !string_member(metadata, "generateName").empty()) {
    name = string_member(metadata, "generateName") + random_suffix();
    set_string(metadata, "name", name, doc.GetAllocator());
  }
  if (name.empty())
    return error(422, "Invalid",
                 kind_of(plural) +
                     " \"\" is invalid: metadata.name: Required value: name or generateName is "
                     "required");
  if (auto rejection = impl_->admit(plural, ns, doc)) {
    std::string message = rejection->rfind("Internal error occurred", 0) == 0
                              ? *rejection
                              : "Internal error occurred: " + *rejection;
    return error(500, "InternalError", message);
  }
  // Admission may have touched identity fields; the request's wins.
  stamp_identity(doc, plural, info && !info->type.namespaced ? std::string() : ns);
  apply_defaults(plural, doc);
  auto& meta = ensure_object(doc, "metadata", doc.GetAllocator());
  set_string(meta, "name", name, doc.GetAllocator());
  meta.RemoveMember("deletionTimestamp");
  Change change;
  {
    std::lock_guard lock(impl_->mu);
    auto& objects = impl_->objects[plural];
    if (objects.count({ns, name}))
      return error(409, "AlreadyExists", describe(plural, name) + " already exists");
    if (origin == Origin::client && !ns.empty() && info && info->type.namespaced) {
      auto& namespaces = impl_->objects["namespaces"];
      if (!namespaces.count({"", ns}))
        return error(404, "NotFound", "namespaces \"" + ns + "\" not found");
    }
    auto& alloc = doc.GetAllocator();
    set_string(meta, "uid", random_uuid(), alloc);
    set_string(meta, "creationTimestamp", now_rfc3339(), alloc);
    impl_->stamp_version(doc, nullptr);
    std::string stored = to_json(doc);
    objects[{ns, name}] = stored;
    change = impl_->record(Change::Kind::added, plural, ns, name, stored);
  }
  impl_->notify({change});
  return change.object_json;
}

Store::WriteResult Store::replace(const std::string& plural, const std::string& ns,
                                  const std::string& name, std::string json, Origin origin) {
  auto parsed = parse_json(json);
  if (!parsed || !parsed->IsObject())
    return error(400, "BadRequest", "the body of the request was not a valid JSON object");
  auto& doc = *parsed;
  std::string body_name = string_at(doc, "metadata.name");
  if (!body_name.empty() && body_name != name)
    return error(400, "BadRequest",
                 "the name of the object (" + body_name + ") does not match the name on the URL (" +
                     name + ")");
  if (plural == "pods" && origin == Origin::client) {
    if (auto rejection = impl_->admit(plural, ns, doc))
      return error(500, "InternalError", "Internal error occurred: " + *rejection);
  }
  Change change;
  {
    std::lock_guard lock(impl_->mu);
    auto& objects = impl_->objects[plural];
    auto it = objects.find({ns, name});
    if (it == objects.end())
      return error(404, "NotFound", describe(plural, name) + " not found");
    auto old = parse_json(it->second);
    std::string sent_rv = string_at(doc, "metadata.resourceVersion");
    if (!sent_rv.empty() && sent_rv != string_at(*old, "metadata.resourceVersion"))
      return error(409, "Conflict",
                   "Operation cannot be fulfilled on " + describe(plural, name) +
                       ": the object has been modified; please apply your changes to the latest "
                       "version and try again");
    const auto* info = find_resource(plural);
    stamp_identity(doc, plural, info && !info->type.namespaced ? std::string() : ns);
    auto& alloc = doc.GetAllocator();
    auto& meta = ensure_object(doc, "metadata", alloc);
    set_string(meta, "name", name, alloc);
    set_string(meta, "uid", string_at(*old, "metadata.uid"), alloc);
    set_string(meta, "creationTimestamp", string_at(*old, "metadata.creationTimestamp"), alloc);
    apply_defaults(plural, doc);
    impl_->stamp_version(doc, &*old);
    it->second = to_json(doc);
    change = impl_->record(Change::Kind::modified, plural, ns, name, it->second);
  }
  impl_->notify({change});
  return change.object_json;
}

Store::WriteResult Store::update(const std::string& plural, const std::string& ns,
                                 const std::string& name,
                                 const std::function<bool(rapidjson::Document&)>& fn,
                                 Origin origin) {
  (void)origin; // admission does not run on read-modify-write updates
  Change change;
  {
    std::lock_guard lock(impl_->mu);
    auto& objects = impl_->objects[plural];
    auto it = objects.find({ns, name});
    if (it == objects.end())
      return error(404, "NotFound", describe(plural, name) + " not found");
    auto doc = parse_json(it->second);
    auto old = parse_json(it->second);
    if (!fn(*doc))
      return it->second;
    auto& alloc = doc->GetAllocator();
    const auto* info = find_resource(plural);
    stamp_identity(*doc, plural, info && !info->type.namespaced ? std::string() : ns);
    auto& meta = ensure_object(*doc, "metadata", alloc);
    set_string(meta, "name", name, alloc);
    set_string(meta, "uid", string_at(*old, "metadata.uid"), alloc);
    set_string(meta, "creationTimestamp", string_at(*old, "metadata.creationTimestamp"), alloc);
    apply_defaults(plural, *doc);
    impl_->stamp_version(*doc, &*old);
    it->second = to_json(*doc);
    change = impl_->record(Change::Kind::modified, plural, ns, name, it->second);
  }
  impl_->notify({change});
  return change.object_json;
}

Store::WriteResult Store::remove(const std::string& plural, const std::string& ns,
                                 const std::string& name, Origin origin) {
  (void)origin;
  std::vector<Change> changes;
  {
    std::lock_guard lock(impl_->mu);
    auto& objects = impl_->objects[plural];
    auto it = objects.find({ns, name});
    if (it == objects.end())
      return error(404, "NotFound", describe(plural, name) + " not found");
    auto doc = parse_json(it->second);
    objects.erase(it);
    if (plural == "namespaces")
      changes = impl_->remove_namespace_contents(name);
    ++impl_->rv;
    set_string(ensure_object(*doc, "metadata", doc->GetAllocator()), "resourceVersion",
               std::to_string(impl_->rv), doc->GetAllocator());
    changes.push_back(impl_->record(Change::Kind::deleted, plural, ns, name, to_json(*doc)));
  }
  impl_->notify(changes);
  return changes.back().object_json;
}

void Store::set_admission(AdmissionHook hook) {
  std::lock_guard lock(impl_->hooks_mu);
  impl_->admission = std::move(hook);
}

void Store::observe(std::function<void(const Change&)> observer) {
  std::lock_guard lock(impl_->hooks_mu);
  impl_->observers.push_back(std::move(observer));
}

std::variant<std::uint64_t, Store::WriteError> Store::watch(const std::string& plural,
                                                            const std::string& ns,
                                                            std::uint64_t since, WatchSink sink) {
  std::lock_guard lock(impl_->mu);
  if (since > 0 && since < impl_->dropped_up_to)
    return error(410, "Expired",
                 "too old resource version: " + std::to_string(since) + " (" +
                     std::to_string(impl_->dropped_up_to + 1) + ")");
  if (since > 0) {
    for (const auto& change : impl_->history)
      if (change.resource_version > since && change.plural == plural &&
          (ns.empty() || change.ns == ns))
        sink(change);
  } else if (auto kind = impl_->objects.find(plural); kind != impl_->objects.end()) {
    for (const auto& [key, json] : kind->second)
      if (ns.empty() || key.first == ns)
        sink(Change{Change::Kind::added, plural, key.first, key.second, json, impl_->rv});
  }
  std::uint64_t id = impl_->next_watch_id++;
  impl_->watches.emplace(id, Impl::Watch{plural, ns, std::move(sink)});
  return id;
}

void Store::unwatch(std::uint64_t watch_id) {
  std::lock_guard lock(impl_->mu);
  impl_->watches.erase(watch_id);
}

} // namespace sim
