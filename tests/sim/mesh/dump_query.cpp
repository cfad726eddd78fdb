#include "mesh/dump_query.h"

#include "mesh/json_text.h"

#include <algorithm>
#include <map>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <regex>

namespace sim::mesh {

namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

// Message type of the items of each repeated field, for the resource= shape's "@type".
const std::map<std::string, std::string, std::less<>>& item_types() {
  static const std::map<std::string, std::string, std::less<>> types{
      {"dynamic_active_secrets", "SecretsConfigDump.DynamicSecret"},
      {"dynamic_warming_secrets", "SecretsConfigDump.DynamicSecret"},
      {"static_secrets", "SecretsConfigDump.StaticSecret"},
      {"dynamic_active_clusters", "ClustersConfigDump.DynamicCluster"},
      {"dynamic_warming_clusters", "ClustersConfigDump.DynamicCluster"},
      {"static_clusters", "ClustersConfigDump.StaticCluster"},
      {"dynamic_listeners", "ListenersConfigDump.DynamicListener"},
      {"static_listeners", "ListenersConfigDump.StaticListener"},
      {"dynamic_route_configs", "RoutesConfigDump.DynamicRouteConfig"},
      {"static_route_configs", "RoutesConfigDump.StaticRouteConfig"},
      {"dynamic_scoped_route_configs", "ScopedRoutesConfigDump.DynamicScopedRouteConfigs"},
      {"dynamic_endpoint_configs", "EndpointsConfigDump.DynamicEndpointConfig"},
      {"static_endpoint_configs", "EndpointsConfigDump.StaticEndpointConfig"},
  };
  return types;
}

// The fields of each message a mask is checked against (envoy/admin/v3/*.proto), by the suffix of
// its "@type". Envoy checks every path of a mask against the message's descriptor
// (config_dump_handler.cc, checkFieldMaskAndTrimMessage): here the first segment is checked,
// and a path may not go on through a repeated field.
struct MessageFields {
  std::vector<std::string> fields;
  std::vector<std::string> repeated;
};
const std::map<std::string, MessageFields, std::less<>>& message_fields() {
  static const std::map<std::string, MessageFields, std::less<>> fields{
      {"BootstrapConfigDump", {{"bootstrap", "last_updated"}, {}}},
      {"ClustersConfigDump",
       {{"version_info", "static_clusters", "dynamic_active_clusters", "dynamic_warming_clusters"},
        {"static_clusters", "dynamic_active_clusters", "dynamic_warming_clusters"}}},
      {"ListenersConfigDump",
       {{"version_info", "static_listeners", "dynamic_listeners"},
        {"static_listeners", "dynamic_listeners"}}},
      {"RoutesConfigDump",
       {{"static_route_configs", "dynamic_route_configs"},
        {"static_route_configs", "dynamic_route_configs"}}},
      {"ScopedRoutesConfigDump",
       {{"inline_scoped_route_configs", "dynamic_scoped_route_configs"},
        {"inline_scoped_route_configs", "dynamic_scoped_route_configs"}}},
      {"SecretsConfigDump",
       {{"static_secrets", "dynamic_active_secrets", "dynamic_warming_secrets"},
        {"static_secrets", "dynamic_active_secrets", "dynamic_warming_secrets"}}},
      {"EndpointsConfigDump",
       {{"static_endpoint_configs", "dynamic_endpoint_configs"},
        {"static_endpoint_configs", "dynamic_endpoint_configs"}}},
      {"ClustersConfigDump.DynamicCluster",
       {{"version_info", "cluster", "last_updated", "error_state", "client_status"}, {}}},
      {"ClustersConfigDump.StaticCluster", {{"cluster", "last_updated"}, {}}},
      {"SecretsConfigDump.DynamicSecret",
       {{"name", "version_info", "last_updated", "secret", "error_state", "client_status"}, {}}},
      {"SecretsConfigDump.StaticSecret", {{"name", "last_updated", "secret"}, {}}},
  };
  return fields;
}

// Whether every path of the mask names a field of the message `type_url` is the type of.
// Unknown message types pass (the simulator does not know their fields).
bool mask_fits(std::string_view type_url, const std::vector<std::string>& paths) {
  const std::string_view prefix = "envoy.admin.v3.";
  const auto at = type_url.find(prefix);
  if (at == std::string_view::npos)
    return true;
  const auto found = message_fields().find(type_url.substr(at + prefix.size()));
  if (found == message_fields().end())
    return true;
  const auto has = [](const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (const auto& path : paths) {
    const auto dot = path.find('.');
    const std::string_view first = std::string_view(path).substr(0, dot);
    if (!has(found->second.fields, first) ||
        (dot != std::string::npos && has(found->second.repeated, first)))
      return false;
  }
  return true;
}

std::string type_url_of(const Value& config) {
  return config.IsObject() && config.HasMember("@type") && config["@type"].IsString()
             ? config["@type"].GetString()
             : "";
}

std::string joined_mask(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths)
    out += (out.empty() ? "" : ",") + p;
  return out;
}

// The name Envoy's name_regex matches for one repeated-field item.
std::string item_name(const Value& item) {
  for (const char* path :
       {"name", "cluster.name", "route_config.name", "endpoint_config.cluster_name",
        "active_state.listener.name", "secret.name"}) {
    const Value* v = &item;
    std::string_view rest = path;
    while (v && !rest.empty()) {
      auto dot = rest.find('.');
      std::string key(rest.substr(0, dot));
      v = v->IsObject() && v->HasMember(key.c_str()) ? &(*v)[key.c_str()] : nullptr;
      rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    }
    if (v && v->IsString())
      return v->GetString();
  }
  return {};
}

// Keeps only the members of `object` named by `paths` (dotted), plus "@type".
void apply_mask(Value& object, const std::vector<std::string>& paths, Alloc& alloc) {
  if (!object.IsObject())
    return;
  std::map<std::string, std::vector<std::string>> children; // first segment -> rest ("" = whole)
  for (const auto& path : paths) {
    auto dot = path.find('.');
    children[path.substr(0, dot)].push_back(dot == std::string::npos ? "" : path.substr(dot + 1));
  }
  for (auto it = object.MemberBegin(); it != object.MemberEnd();) {
    std::string key = it->name.GetString();
    auto found = children.find(key);
    if (key == "@type" ||
        (found != children.end() && std::count(found->second.begin(), found->second.end(), ""))) {
      ++it;
    } else if (found != children.end()) {
      apply_mask(it->value, found->second, alloc);
      ++it;
    } else {
      it = object.EraseMember(it);
    }
  }
}

void filter_by_name(Value& array, const std::regex& pattern) {
  for (auto it = array.Begin(); it != array.End();) {
    if (std::regex_search(item_name(*it), pattern))
      ++it;
    else
      it = array.Erase(it);
  }
}

std::string render(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return pretty(std::string_view(buffer.GetString(), buffer.GetSize())) + "\n";
}

// The dump type ("SecretsConfigDump") of a known repeated field: its presence means the field
// exists even when empty (Envoy omits empty repeated fields from the JSON).
std::string dump_type_of(const std::string& item_type) {
  return item_type.substr(0, item_type.find('.'));
}

bool is_dump(const Value& config, const std::string& dump_type) {
  if (!config.IsObject() || !config.HasMember("@type") || !config["@type"].IsString())
    return false;
  std::string_view type = config["@type"].GetString();
  return type.size() >= dump_type.size() &&
         type.substr(type.size() - dump_type.size()) == dump_type;
}

AdminResponse resource_shape(Value& configs, const DumpQuery& q, const std::regex* pattern,
                             Alloc& alloc) {
  auto type = item_types().find(q.resource);
  bool found = false;
  Value out(rapidjson::kArrayType);
  for (auto& config : configs.GetArray()) {
    if (type != item_types().end() && is_dump(config, dump_type_of(type->second)))
      found = true;
    if (!config.IsObject() || !config.HasMember(q.resource.c_str()))
      continue;
    Value& field = config[q.resource.c_str()];
    if (!field.IsArray() || type == item_types().end())
      return {400, q.resource + " is not a repeated field. Use ?mask=" + q.resource +
                       " to get only this field"};
    if (pattern)
      filter_by_name(field, *pattern);
    const std::string item_type_url = "type.googleapis.com/envoy.admin.v3." + type->second;
    if (!q.mask_paths.empty() && !mask_fits(item_type_url, q.mask_paths))
      return {400, "FieldMask paths: \"" + joined_mask(q.mask_paths) +
                       "\" could not be successfully used."};
    for (auto& item : field.GetArray()) {
      Value entry(rapidjson::kObjectType);
      entry.AddMember("@type",
                      Value(("type.googleapis.com/envoy.admin.v3." + type->second).c_str(), alloc),
                      alloc);
      for (auto m = item.MemberBegin(); m != item.MemberEnd(); ++m)
        entry.AddMember(Value(m->name, alloc), Value(m->value, alloc), alloc);
      if (!q.mask_paths.empty())
        apply_mask(entry, q.mask_paths, alloc);
      out.PushBack(entry, alloc);
    }
  }
  if (!found)
    return {404, q.resource + " not found in config dump"};
  Value doc(rapidjson::kObjectType);
  doc.AddMember("configs", out, alloc);
  return {200, render(doc)};
}

} // namespace

std::string DumpQuery::key() const {
  std::string k = "r=" + resource + "&n=" + name_regex + "&e=" + (include_eds ? "1" : "0") + "&m=";
  for (const auto& p : mask_paths)
    k += p + ",";
  return k;
}

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  char lower = static_cast<char>(c | 0x20);
  return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
}
} // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = hex_digit(text[i + 1]);
      int lo = hex_digit(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

DumpQuery parse_dump_query(std::string_view query) {
  DumpQuery q;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (key == "resource")
      q.resource = value;
    else if (key == "name_regex")
      q.name_regex = value;
    else if (key == "include_eds")
      q.include_eds = true;
    else if (key == "mask") {
      std::string_view rest = value;
      while (!rest.empty()) {
        auto comma = rest.find(',');
        if (comma != 0)
          q.mask_paths.emplace_back(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    }
  }
  return q;
}

AdminResponse apply_dump_query(rapidjson::Document& dump, const DumpQuery& q) {
  auto& alloc = dump.GetAllocator();
  if (!dump.IsObject() || !dump.HasMember("configs") || !dump["configs"].IsArray())
    return {500, "config dump is not {\"configs\":[...]}"};
  Value& configs = dump["configs"];
  std::optional<std::regex> pattern;
  if (!q.name_regex.empty()) {
    try {
      pattern.emplace(q.name_regex);
    } catch (const std::regex_error&) {
      return {400, "Error while parsing name_regex from " + q.name_regex + ": invalid regex"};
    }
  }
  if (!q.resource.empty())
    return resource_shape(configs, q, pattern ? &*pattern : nullptr, alloc);
  // A mask is applied to each top-level dump it fits; the others are left out (Envoy 1.19+), and
  // a mask that fits none is refused.
  for (auto it = configs.Begin(); it != configs.End();) {
    if (!q.mask_paths.empty() && !mask_fits(type_url_of(*it), q.mask_paths)) {
      it = configs.Erase(it);
      continue;
    }
    Value& config = *it;
    if (pattern)
      for (auto m = config.MemberBegin(); m != config.MemberEnd(); ++m)
        if (m->value.IsArray() && item_types().count(m->name.GetString()))
          filter_by_name(m->value, *pattern);
    if (!q.mask_paths.empty())
      apply_mask(config, q.mask_paths, alloc);
    ++it;
  }
  if (!q.mask_paths.empty() && configs.Empty())
    return {400, "FieldMask " + joined_mask(q.mask_paths) +
                     " could not be successfully applied to any configs."};
  return {200, render(dump)};
}

} // namespace sim::mesh
