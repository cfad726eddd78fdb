#include "meshca/composite/migrate/migrate_ledger.h"

#include "meshca/util/json.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace meshca {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

std::string text(const Value& object, const char* key) {
  auto found = json::string_member(object, key);
  return found ? std::string(*found) : std::string();
}

std::vector<std::string> text_list(const Value& object, const char* key) {
  std::vector<std::string> out;
  if (const Value* array = json::array_member(object, key))
    for (const Value& item : array->GetArray())
      if (item.IsString())
        out.emplace_back(item.GetString(), item.GetStringLength());
  return out;
}

std::string where(const std::string& context) {
  return "ConfigMap " + std::string(kLedgerNamespace) + "/" + kLedgerName + " (" +
         context_label(context) + ")";
}

std::string serialize(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

// The ConfigMap carrying the ledger, with the resourceVersion read (optimistic concurrency).
std::string config_map_json(const Ledger& ledger) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("apiVersion", "v1", a);
  doc.AddMember("kind", "ConfigMap", a);
  Value meta(rapidjson::kObjectType);
  meta.AddMember("name", rapidjson::StringRef(kLedgerName), a);
  meta.AddMember("namespace", rapidjson::StringRef(kLedgerNamespace), a);
  Value labels(rapidjson::kObjectType);
  labels.AddMember("app.kubernetes.io/managed-by", "kubectl-meshca", a);
  meta.AddMember("labels", labels, a);
  if (!ledger.resource_version.empty())
    meta.AddMember("resourceVersion", json::string_value(ledger.resource_version, a), a);
  doc.AddMember("metadata", meta, a);
  Value data(rapidjson::kObjectType);
  data.AddMember("phase", json::string_value(ledger.phase, a), a);
  data.AddMember("ledger.json", json::string_value(ledger_to_json(ledger), a), a);
  doc.AddMember("data", data, a);
  return serialize(doc);
}

bool is_conflict(const ProcessOutput& output) {
  return output.err.find("the object has been modified") != std::string::npos ||
         output.err.find("AlreadyExists") != std::string::npos ||
         output.err.find("already exists") != std::string::npos;
}

} // namespace

const LedgerStep* Ledger::last(const std::string& id) const {
  for (auto it = steps.rbegin(); it != steps.rend(); ++it)
    if (it->id == id)
      return &*it;
  return nullptr;
}

std::string ledger_to_json(const Ledger& ledger) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("kind", "MigrationLedger", a);
  doc.AddMember("version", 1, a);
  doc.AddMember("to", json::string_value(ledger.to, a), a);
  doc.AddMember("phase", json::string_value(ledger.phase, a), a);
  Value revisions(rapidjson::kObjectType);
  revisions.AddMember("old", json::string_array(ledger.revisions.old, a), a);
  revisions.AddMember("round1", json::string_value(ledger.revisions.round1, a), a);
  revisions.AddMember("round2", json::string_value(ledger.revisions.round2, a), a);
  doc.AddMember("revisions", revisions, a);
  doc.AddMember("steps", ledger_steps_value(ledger.steps, a), a);
  doc.AddMember("notes", json::string_array(ledger.notes, a), a);
  if (ledger.lease)
    doc.AddMember("lease", lease_value(*ledger.lease, a), a);
  return serialize(doc);
}

Value ledger_steps_value(const std::vector<LedgerStep>& steps, Allocator& a) {
  Value out(rapidjson::kArrayType);
  for (const LedgerStep& s : steps) {
    Value v(rapidjson::kObjectType);
    v.AddMember("step", json::string_value(s.id, a), a);
    v.AddMember("revision", json::string_value(s.revision, a), a);
    v.AddMember("time", json::string_value(s.time, a), a);
    v.AddMember("user", json::string_value(s.user, a), a);
    v.AddMember("command", json::string_value(s.command, a), a);
    v.AddMember("evidence", json::string_value(s.evidence, a), a);
    v.AddMember("sha256", json::string_value(s.sha256, a), a);
    out.PushBack(v, a);
  }
  return out;
}

Value lease_value(const LedgerLease& lease, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("holder", json::string_value(lease.holder, a), a);
  v.AddMember("expires", static_cast<int64_t>(lease.expires), a);
  return v;
}

Result<Ledger> ledger_from_json(std::string_view input, const std::string& context) {
  MESHCA_TRY_ASSIGN(auto doc, json::parse(input, where(context) + " key ledger.json"));
  const std::string fix = "; move it aside (kubectl get configmap -n istio-system " +
                          std::string(kLedgerName) + " -o yaml > ledger.yaml, then delete it) " +
                          "and run kubectl meshca migrate plan again";
  if (!doc.IsObject() || text(doc, "kind") != "MigrationLedger")
    return bad_input(where(context) + " is not a kubectl-meshca migration ledger" + fix);
  const Value* version = json::member(doc, "version");
  if (version == nullptr || !version->IsInt() || version->GetInt() != 1)
    return bad_input(where(context) + " has a ledger version this kubectl-meshca does " +
                     "not read (it reads version 1); upgrade kubectl-meshca");
  Ledger ledger;
  ledger.exists = true;
  ledger.to = text(doc, "to");
  ledger.phase = text(doc, "phase");
  if (const Value* revisions = json::object_member(doc, "revisions")) {
    ledger.revisions.old = text_list(*revisions, "old");
    ledger.revisions.round1 = text(*revisions, "round1");
    ledger.revisions.round2 = text(*revisions, "round2");
  }
  if (const Value* steps = json::array_member(doc, "steps"))
    for (const Value& v : steps->GetArray()) {
      if (!v.IsObject())
        continue;
      ledger.steps.push_back({text(v, "step"), text(v, "revision"), text(v, "time"),
                              text(v, "user"), text(v, "command"), text(v, "evidence"),
                              text(v, "sha256")});
    }
  ledger.notes = text_list(doc, "notes");
  if (const Value* lease = json::object_member(doc, "lease")) {
    const Value* expires = json::member(*lease, "expires");
    ledger.lease = LedgerLease{text(*lease, "holder"),
                               expires != nullptr && expires->IsInt64() ? expires->GetInt64() : 0};
  }
  return ledger;
}

Result<Ledger> read_ledger(KubectlRunner& kubectl, const std::string& context) {
  const std::vector<std::string> args = {"get", "configmap", kLedgerName, "-n", kLedgerNamespace,
                                         "-o",  "json"};
  MESHCA_TRY_ASSIGN(auto output, run_with_retries(kubectl, args));
  if (!output.succeeded()) {
    if (is_not_found(output))
      return Ledger{};
    return kubectl_failure(output, args, "reading the migration ledger " + where(context));
  }
  MESHCA_TRY_ASSIGN(auto doc, json::parse(output.out, where(context)));
  const Value* data = json::object_member(doc, "data");
  const Value* meta = json::object_member(doc, "metadata");
  const std::string key = data != nullptr ? text(*data, "ledger.json") : std::string();
  if (key.empty())
    return bad_input(where(context) + " has no key ledger.json; it was not written by " +
                     "kubectl-meshca: rename or delete it, then run migrate plan again");
  MESHCA_TRY_ASSIGN(auto ledger, ledger_from_json(key, context));
  if (meta != nullptr)
    ledger.resource_version = text(*meta, "resourceVersion");
  return ledger;
}

Status write_ledger(KubectlRunner& kubectl, Ledger& ledger, const std::string& context) {
  const std::vector<std::string> args = {ledger.exists ? "replace" : "create", "-f", "-", "-o",
                                         "jsonpath={.metadata.resourceVersion}"};
  MESHCA_TRY_ASSIGN(auto output, kubectl.run(args, config_map_json(ledger)));
  if (!output.succeeded()) {
    if (is_conflict(output))
      return check_failed(
          where(context) + " was changed by someone else since it was read (another " +
          "kubectl meshca migrate apply is running?); nothing more was done: run kubectl " +
          "meshca migrate status to see who holds it, then run again");
    return kubectl_failure(output, args, "writing the migration ledger " + where(context));
  }
  ledger.exists = true;
  ledger.resource_version = output.out;
  return Done{};
}

Status acquire_lease(KubectlRunner& kubectl, Ledger& ledger, const std::string& context,
                     const std::string& holder, std::chrono::system_clock::time_point now,
                     std::chrono::seconds duration) {
  const long long now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (ledger.lease && ledger.lease->holder != holder && ledger.lease->expires > now_s)
    return check_failed(
        where(context) + " is held by " + ledger.lease->holder + " for another " +
        std::to_string(ledger.lease->expires - now_s) +
        " s (another kubectl meshca migrate apply or rollback is running); wait for it to " +
        "finish, or, if it was killed, run again once its lease has expired");
  ledger.lease = LedgerLease{holder, now_s + duration.count()};
  return write_ledger(kubectl, ledger, context);
}

void release_lease(KubectlRunner& kubectl, Ledger& ledger, const std::string& context,
                   const std::string& holder) {
  if (!ledger.lease || ledger.lease->holder != holder)
    return;
  ledger.lease.reset();
  (void)write_ledger(kubectl, ledger, context);
}

std::string kubeconfig_user(KubectlRunner& kubectl) {
  auto output =
      kubectl.run({"config", "view", "--minify", "-o", "jsonpath={.contexts[0].context.user}"});
  if (!output || !output->succeeded() || output->out.empty())
    return "unknown";
  return output->out;
}

} // namespace meshca
