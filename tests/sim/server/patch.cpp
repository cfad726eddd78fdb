#include "server/patch.h"

#include "server/json_util.h"

#include <cstdlib>
#include <string>
#include <vector>

namespace sim {
namespace {

using Value = rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

void merge_patch(Value& target, const Value& patch, Allocator& alloc) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, alloc);
    return;
  }
  if (!target.IsObject())
    target.SetObject();
  for (const auto& entry : patch.GetObject()) {
    std::string_view key(entry.name.GetString(), entry.name.GetStringLength());
    if (entry.value.IsNull()) {
      target.RemoveMember(entry.name);
    } else if (auto* existing = member(target, key)) {
      merge_patch(*existing, entry.value, alloc);
    } else {
      Value copy;
      merge_patch(copy, entry.value, alloc);
      target.AddMember(Value(entry.name, alloc), copy, alloc);
    }
  }
}

// The merge key of a list of objects, by the list's field name, as Kubernetes' Go types declare
// it (patchMergeKey). Lists without one are replaced whole.
std::optional<std::string> merge_key_for(std::string_view field, const Value& patch_list) {
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers" ||
      field == "volumes" || field == "env" || field == "imagePullSecrets" ||
      field == "conditions" || field == "containerStatuses" || field == "initContainerStatuses")
    return field == "conditions" ? "type" : "name";
  if (field == "volumeMounts" || field == "volumeDevices")
    return "mountPath";
  if (field == "hostAliases")
    return "ip";
  if (field == "ports") {
    for (const auto& item : patch_list.GetArray())
      if (member(item, "containerPort"))
        return "containerPort";
    return "port";
  }
  return std::nullopt;
}

void strategic_merge(Value& target, const Value& patch, Allocator& alloc);

Value* find_by_key(Value& list, const std::string& key, const Value& wanted) {
  for (auto& item : list.GetArray()) {
    const auto* value = member(item, key);
    if (value && *value == wanted)
      return &item;
  }
  return nullptr;
}

void strategic_merge_list(Value& target, const Value& patch, const std::string& key,
                          Allocator& alloc) {
  if (!target.IsArray())
    target.SetArray();
  for (const auto& item : patch.GetArray()) {
    const auto* wanted = member(item, key);
    if (!item.IsObject() || !wanted) {
      target.PushBack(Value(item, alloc), alloc);
      continue;
    }
    std::string directive = string_member(item, "$patch");
    Value* existing = find_by_key(target, key, *wanted);
    if (directive == "delete") {
      if (existing)
        target.Erase(existing);
    } else if (existing) {
      strategic_merge(*existing, item, alloc);
    } else {
      Value fresh(rapidjson::kObjectType);
      strategic_merge(fresh, item, alloc);
      target.PushBack(fresh, alloc);
    }
  }
}

void strategic_merge(Value& target, const Value& patch, Allocator& alloc) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, alloc);
    return;
  }
  if (!target.IsObject())
    target.SetObject();
  std::string directive = string_member(patch, "$patch");
  if (directive == "replace")
    target.SetObject();
  if (directive == "delete") {
    target.SetObject();
    return;
  }
  for (const auto& entry : patch.GetObject()) {
    std::string_view key(entry.name.GetString(), entry.name.GetStringLength());
    if (!key.empty() && key.front() == '$')
      continue; // directives ($patch, $retainKeys, ...)
    if (key.rfind("$setElementOrder/", 0) == 0 || key.rfind("$deleteFromPrimitiveList/", 0) == 0)
      continue;
    Value* existing = member(target, key);
    if (entry.value.IsNull()) {
      target.RemoveMember(entry.name);
    } else if (entry.value.IsArray() && existing && existing->IsArray()) {
      if (auto merge_key = merge_key_for(key, entry.value))
        strategic_merge_list(*existing, entry.value, *merge_key, alloc);
      else
        existing->CopyFrom(entry.value, alloc);
    } else if (existing) {
      strategic_merge(*existing, entry.value, alloc);
    } else {
      Value copy;
      strategic_merge(copy, entry.value, alloc);
      target.AddMember(Value(entry.name, alloc), copy, alloc);
    }
  }
}

// --- JSON patch ---

std::optional<std::vector<std::string>> parse_pointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty())
    return tokens;
  if (pointer.front() != '/')
    return std::nullopt;
  std::size_t start = 1;
  while (true) {
    auto slash = pointer.find('/', start);
    std::string token(pointer.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                                            : slash - start));
    std::string decoded;
    for (std::size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size()) {
        decoded += token[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        decoded += token[i];
      }
    }
    tokens.push_back(decoded);
    if (slash == std::string_view::npos)
      break;
    start = slash + 1;
  }
  return tokens;
}

std::optional<std::size_t> array_index(const std::string& token, std::size_t size, bool allow_end) {
  if (allow_end && token == "-")
    return size;
  if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  auto index = static_cast<std::size_t>(std::strtoull(token.c_str(), nullptr, 10));
  if (index > size || (!allow_end && index == size))
    return std::nullopt;
  return index;
}

Value* resolve(Value& root, const std::vector<std::string>& tokens, std::size_t count) {
  Value* current = &root;
  for (std::size_t i = 0; i < count && current; ++i) {
    if (current->IsObject()) {
      current = member(*current, tokens[i]);
    } else if (current->IsArray()) {
      auto index = array_index(tokens[i], current->Size(), false);
      current = index ? &(*current)[static_cast<rapidjson::SizeType>(*index)] : nullptr;
    } else {
      current = nullptr;
    }
  }
  return current;
}

std::optional<std::string> remove_at(Value& root, const std::vector<std::string>& path,
                                     Value* removed, Allocator& alloc) {
  if (path.empty())
    return "cannot remove the document root";
  Value* parent = resolve(root, path, path.size() - 1);
  const std::string& last = path.back();
  if (parent && parent->IsObject()) {
    auto* existing = member(*parent, last);
    if (!existing)
      return "unable to remove nonexistent key: " + last;
    if (removed)
      removed->CopyFrom(*existing, alloc);
    parent->RemoveMember(last.c_str());
    return std::nullopt;
  }
  if (parent && parent->IsArray()) {
    auto index = array_index(last, parent->Size(), false);
    if (!index)
      return "unable to remove nonexistent index: " + last;
    if (removed)
      removed->CopyFrom((*parent)[static_cast<rapidjson::SizeType>(*index)], alloc);
    parent->Erase(parent->Begin() + static_cast<std::ptrdiff_t>(*index));
    return std::nullopt;
  }
  return "doc is missing path: the parent of the path does not exist";
}

std::optional<std::string> add_at(Value& root, const std::vector<std::string>& path, Value value,
                                  bool replace_only, Allocator& alloc) {
  if (path.empty()) {
    root = std::move(value);
    return std::nullopt;
  }
  Value* parent = resolve(root, path, path.size() - 1);
  const std::string& last = path.back();
  if (parent && parent->IsObject()) {
    if (replace_only && !member(*parent, last))
      return "doc is missing key: " + last;
    set_member(*parent, last, std::move(value), alloc);
    return std::nullopt;
  }
  if (parent && parent->IsArray()) {
    auto index = array_index(last, parent->Size(), !replace_only);
    if (!index)
      return "unable to access invalid index: " + last;
    if (replace_only) {
      (*parent)[static_cast<rapidjson::SizeType>(*index)] = std::move(value);
    } else {
      parent->PushBack(Value(), alloc);
      for (auto i = parent->Size() - 1; i > *index; --i)
        (*parent)[i] = std::move((*parent)[i - 1]);
      (*parent)[static_cast<rapidjson::SizeType>(*index)] = std::move(value);
    }
    return std::nullopt;
  }
  return "doc is missing path: \"/" + (path.size() > 1 ? path[path.size() - 2] : std::string()) +
         "\"";
}

std::optional<std::string> apply_operation(rapidjson::Document& doc, const Value& operation) {
  auto& alloc = doc.GetAllocator();
  std::string op = string_member(operation, "op");
  auto path = parse_pointer(string_member(operation, "path"));
  if (!path)
    return "invalid JSON pointer: " + string_member(operation, "path");
  const Value* value = member(operation, "value");
  if (op == "add" || op == "replace" || op == "test") {
    if (!value)
      return "operation " + op + " needs a value";
    if (op == "test") {
      const Value* current = resolve(doc, *path, path->size());
      if (!current || *current != *value)
        return "testing value " + string_member(operation, "path") + " failed";
      return std::nullopt;
    }
    return add_at(doc, *path, Value(*value, alloc), op == "replace", alloc);
  }
  if (op == "remove")
    return remove_at(doc, *path, nullptr, alloc);
  if (op == "move" || op == "copy") {
    auto from = parse_pointer(string_member(operation, "from"));
    if (!from)
      return "invalid JSON pointer: " + string_member(operation, "from");
    Value taken;
    if (op == "move") {
      if (auto error = remove_at(doc, *from, &taken, alloc))
        return error;
    } else {
      const Value* source = resolve(doc, *from, from->size());
      if (!source)
        return "copy from a missing path: " + string_member(operation, "from");
      taken.CopyFrom(*source, alloc);
    }
    return add_at(doc, *path, std::move(taken), false, alloc);
  }
  return "unexpected kind: " + op;
}

} // namespace

std::optional<PatchType> patch_type_from_content_type(std::string_view content_type) {
  auto base = content_type.substr(0, content_type.find(';'));
  if (base == "application/merge-patch+json")
    return PatchType::merge;
  if (base == "application/strategic-merge-patch+json")
    return PatchType::strategic;
  if (base == "application/json-patch+json")
    return PatchType::json;
  return std::nullopt;
}

std::string_view patch_type_name(PatchType type) {
  switch (type) {
  case PatchType::merge:
    return "merge";
  case PatchType::strategic:
    return "strategic";
  case PatchType::json:
    return "json";
  }
  return "unknown";
}

std::optional<std::string> apply_patch(PatchType type, std::string_view patch,
                                       rapidjson::Document& target) {
  auto parsed = parse_json(patch);
  if (!parsed)
    return std::string("the patch is not valid JSON");
  auto& alloc = target.GetAllocator();
  if (type == PatchType::json) {
    if (!parsed->IsArray())
      return std::string("a JSON patch must be an array of operations");
    for (const auto& operation : parsed->GetArray())
      if (auto error = apply_operation(target, operation))
        return error;
    return std::nullopt;
  }
  if (!parsed->IsObject())
    return std::string("a merge patch must be a JSON object");
  if (type == PatchType::merge)
    merge_patch(target, *parsed, alloc);
  else
    strategic_merge(target, *parsed, alloc);
  return std::nullopt;
}

} // namespace sim
