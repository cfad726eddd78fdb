#include "server/bootstrap.h"

#include "server/json_util.h"
#include "server/resources.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace sim {
namespace {

const ResourceInfo* resource_for_kind(const std::string& kind) {
  for (const auto& info : all_resources())
    if (info.type.kind == kind)
      return &info;
  return nullptr;
}

std::optional<std::string> create_one(Store& store, const rapidjson::Value& object) {
  std::string kind = string_member(object, "kind");
  std::string name = string_at(object, "metadata.name");
  const auto* info = resource_for_kind(kind);
  if (!info)
    return "seed object " + kind + "/" + name + ": unknown kind";
  std::string ns = info->type.namespaced ? string_at(object, "metadata.namespace") : "";
  if (info->type.namespaced && ns.empty())
    ns = "default";
  if (info->type.namespaced && !store.get("namespaces", "", ns)) {
    auto created = store.create("namespaces", "", R"({"metadata":{"name":)" + quote(ns) + "}}",
                                Origin::controller);
    if (auto* error = std::get_if<Store::WriteError>(&created))
      return "seed namespace " + ns + ": " + error->message;
  }
  auto result = store.create(info->type.plural, ns, to_json(object), Origin::controller);
  if (auto* error = std::get_if<Store::WriteError>(&result))
    return "seed object " + kind + "/" + name + " in namespace \"" + ns + "\": " + error->message;
  return std::nullopt;
}

} // namespace

std::optional<std::string> write_file_atomically(const std::string& path, const std::string& text) {
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << text;
    if (!out.flush())
      return "cannot write " + temp;
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0)
    return "cannot rename " + temp + " to " + path;
  return std::nullopt;
}

std::optional<std::string> write_kubeconfig(const std::string& path, unsigned short port,
                                            const std::string& context_name) {
  std::string server = "http://127.0.0.1:" + std::to_string(port);
  std::string text =
      "apiVersion: v1\nkind: Config\nclusters:\n- name: " + context_name +
      "\n  cluster:\n    server: " + server + "\ncontexts:\n- name: " + context_name +
      "\n  context:\n    cluster: " + context_name + "\n    user: " + context_name +
      "\n    namespace: default\ncurrent-context: " + context_name +
      "\nusers:\n- name: " + context_name + "\n  user:\n    token: meshca-sim-token\n";
  return write_file_atomically(path, text);
}

std::optional<std::string> load_seed(const std::string& path, Store& store) {
  std::ifstream in(path);
  if (!in)
    return "cannot read seed file " + path;
  std::stringstream text;
  text << in.rdbuf();
  auto doc = parse_json(text.str());
  if (!doc)
    return "seed file " + path + " is not valid JSON";
  const rapidjson::Value* items = doc->IsArray() ? &*doc : member(*doc, "items");
  if (!items || !items->IsArray())
    return "seed file " + path + " must be a JSON array of objects or a List";
  for (int pass = 0; pass < 2; ++pass) // namespaces first, then everything else
    for (const auto& object : items->GetArray()) {
      if ((string_member(object, "kind") == "Namespace") != (pass == 0))
        continue;
      if (pass == 0 && store.get("namespaces", "", string_at(object, "metadata.name")))
        continue;
      if (auto error = create_one(store, object))
        return error;
    }
  return std::nullopt;
}

void ensure_system_namespaces(Store& store) {
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"})
    if (!store.get("namespaces", "", name))
      store.create("namespaces", "",
                   std::string(R"({"metadata":{"name":")") + name +
                       R"("},"status":{"phase":"Active"}})",
                   Origin::controller);
}

} // namespace sim
