#include "meshca/commands/cleanup_secrets/cleanup_secrets_backup.h"

#include "meshca/util/json.h"
#include "meshca/util/yaml_writer.h"

namespace meshca {
namespace {

using rapidjson::Value;

// In this order; metadata goes after kind.
constexpr std::array<const char*, 2> kKeptHead = {"apiVersion", "kind"};
constexpr std::array<const char*, 4> kKeptTail = {"type", "data", "immutable", "stringData"};
constexpr std::array<const char*, 4> kKeptMetadata = {"name", "namespace", "labels", "annotations"};
constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

std::string text_of(const Value& object, std::string_view key) {
  return std::string(json::string_member(object, key).value_or(""));
}

std::string name_of(const Value& secret) {
  const Value* metadata = json::object_member(secret, "metadata");
  return metadata ? text_of(*metadata, "name") : std::string();
}

void copy_member(const Value& from, const char* key, Value& to,
                 rapidjson::Document::AllocatorType& a) {
  auto it = from.FindMember(key);
  if (it != from.MemberEnd())
    to.AddMember(Value(key, a), Value(it->value, a), a);
}

Value kept_metadata(const Value& metadata, rapidjson::Document::AllocatorType& a) {
  Value out(rapidjson::kObjectType);
  for (const char* key : kKeptMetadata) {
    if (std::string_view(key) != "annotations") {
      copy_member(metadata, key, out, a);
      continue;
    }
    const Value* annotations = json::object_member(metadata, "annotations");
    if (annotations == nullptr)
      continue;
    Value kept(rapidjson::kObjectType);
    for (const auto& entry : annotations->GetObject())
      if (std::string_view(entry.name.GetString()) != kLastApplied)
        kept.AddMember(Value(entry.name, a), Value(entry.value, a), a);
    if (kept.MemberCount() > 0)
      out.AddMember("annotations", kept, a);
  }
  return out;
}

const Value& member_or_null(const Value& object, const char* key) {
  static const Value kNull;
  if (!object.IsObject())
    return kNull;
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? kNull : it->value;
}

} // namespace

std::string backup_file_name(std::string_view secret) {
  return std::string(secret) + ".yaml";
}

rapidjson::Document secret_manifest(const Value& fetched) {
  rapidjson::Document manifest(rapidjson::kObjectType);
  auto& a = manifest.GetAllocator();
  if (!fetched.IsObject())
    return manifest;
  for (const char* key : kKeptHead)
    copy_member(fetched, key, manifest, a);
  if (const Value* metadata = json::object_member(fetched, "metadata"))
    manifest.AddMember("metadata", kept_metadata(*metadata, a), a);
  for (const char* key : kKeptTail)
    copy_member(fetched, key, manifest, a);
  return manifest;
}

std::string backup_text(const Value& manifest) {
  const Value* metadata = json::object_member(manifest, "metadata");
  const std::string name = metadata ? text_of(*metadata, "name") : "";
  const std::string ns = metadata ? text_of(*metadata, "namespace") : "";
  return "# Secret " + ns + "/" + name +
         ", saved by kubectl meshca cleanup-secrets.\n"
         "# Restore: kubectl meshca cleanup-secrets --restore <this folder>\n" +
         to_yaml(manifest);
}

bool same_secret_content(const Value& a, const Value& b) {
  const Value& type_a = member_or_null(a, "type");
  const Value& type_b = member_or_null(b, "type");
  // An omitted type is Opaque.
  const bool opaque_a =
      type_a.IsNull() || (type_a.IsString() && std::string_view(type_a.GetString()) == "Opaque");
  const bool opaque_b =
      type_b.IsNull() || (type_b.IsString() && std::string_view(type_b.GetString()) == "Opaque");
  if (!(opaque_a && opaque_b) && type_a != type_b)
    return false;
  const Value& data_a = member_or_null(a, "data");
  const Value& data_b = member_or_null(b, "data");
  const bool empty_a = data_a.IsNull() || (data_a.IsObject() && data_a.MemberCount() == 0);
  const bool empty_b = data_b.IsNull() || (data_b.IsObject() && data_b.MemberCount() == 0);
  return (empty_a && empty_b) || data_a == data_b;
}

Result<rapidjson::Document> parse_backup(KubectlRunner& kubectl, const std::string& text,
                                         std::string_view secret, const std::string& what) {
  const std::vector<std::string> args = {"create", "-f", "-", "--dry-run=client", "-o", "json"};
  MESHCA_TRY_ASSIGN(auto output, kubectl.run(args, text));
  if (!output.succeeded())
    return bad_input(what +
                     ": kubectl cannot read it as a manifest: " + trim_kubectl_stderr(output.err));
  auto parsed = json::parse(output.out, what);
  if (!parsed)
    return cluster_error(parsed.error().message);
  const rapidjson::Document& doc = *parsed;
  const Value* metadata = json::object_member(doc, "metadata");
  const std::string ns = metadata ? text_of(*metadata, "namespace") : "";
  const std::string kind = text_of(doc, "kind");
  if (kind != "Secret" || name_of(doc) != secret || (!ns.empty() && ns != kIstioNamespace)) {
    const std::string found = kind.empty()
                                  ? "an object without a kind"
                                  : kind + " " + (ns.empty() ? "" : ns + "/") + name_of(doc);
    return bad_input(what + ": expected the Secret " + std::string(secret) + " in " +
                     kIstioNamespace + ", found " + found);
  }
  return parsed;
}

Result<BackupOutcome> back_up_secret(KubectlRunner& kubectl, const std::string& dir,
                                     const Value& fetched, const DurabilityHooks& hooks) {
  const std::string name = name_of(fetched);
  const rapidjson::Document manifest = secret_manifest(fetched);
  const std::string text = backup_text(manifest);
  const std::string file = backup_file_name(name);
  MESHCA_TRY_ASSIGN(auto outcome, write_private_file(dir, file, text, hooks));
  const std::string path = dir + "/" + file;
  auto parsed = parse_backup(kubectl, text, name, path);
  if (!parsed)
    return cluster_error("backup " + path + " cannot be verified: " + parsed.error().message +
                         "; nothing was deleted");
  if (!same_secret_content(*parsed, fetched))
    return cluster_error("backup " + path + " does not re-create the data of secret " + name +
                         "; nothing was deleted");
  return outcome == WriteOutcome::written ? BackupOutcome::written : BackupOutcome::reused;
}

} // namespace meshca
