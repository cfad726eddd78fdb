// The read verbs: get, list (JSON or Table) and the watch plan and event encoding.

#include "server/api_server.h"
#include "server/json_util.h"

#include <algorithm>
#include <cstdlib>
#include <variant>

namespace sim {
namespace {

TableObjects table_objects(const ApiRequest& request) {
  std::string include = request.param("includeObject");
  if (include == "None")
    return TableObjects::none;
  if (include == "Object")
    return TableObjects::full;
  return TableObjects::metadata;
}

struct Selectors {
  LabelSelector labels;
  FieldSelector fields;
  bool empty() const { return labels.requirements.empty() && fields.requirements.empty(); }
};

std::variant<Selectors, ApiResponse> parse_selectors(const ApiRequest& request,
                                                     const ResourceInfo& info) {
  Selectors selectors;
  auto labels = parse_label_selector(request.param("labelSelector"));
  if (auto* error = std::get_if<std::string>(&labels))
    return error_response(400, "BadRequest", *error);
  selectors.labels = std::get<LabelSelector>(std::move(labels));
  auto fields = parse_field_selector(request.param("fieldSelector"));
  if (auto* error = std::get_if<std::string>(&fields))
    return error_response(400, "BadRequest", *error);
  selectors.fields = std::get<FieldSelector>(std::move(fields));
  if (auto error = unsupported_field(info, selectors.fields))
    return error_response(400, "BadRequest", *error);
  return selectors;
}

// `continue` is the token of the page that ends the answer ("" when it is the last page).
std::string list_json(const ResourceInfo& info, const std::vector<const std::string*>& items,
                      std::uint64_t rv, const std::string& continue_token = {},
                      std::size_t remaining = 0) {
  std::size_t size = 128;
  for (const auto* item : items)
    size += item->size() + 1;
  std::string body;
  body.reserve(size);
  body += "{\"kind\":" + quote(info.type.kind + "List") +
          ",\"apiVersion\":" + quote(info.api_version()) + ",\"metadata\":{\"resourceVersion\":\"" +
          std::to_string(rv) + "\"";
  if (!continue_token.empty())
    body += ",\"continue\":" + quote(continue_token) +
            ",\"remainingItemCount\":" + std::to_string(remaining);
  body += "},\"items\":[";
  bool first = true;
  for (const auto* item : items) {
    if (!first)
      body += ',';
    body += *item;
    first = false;
  }
  body += "]}";
  return body;
}

// One page of a JSON list (`limit` and `continue`, as clients chunk large lists). The token is the
// offset of the next item: the store keeps items in name order, so pages are stable while nothing
// is added or removed between requests (a real apiserver pins a snapshot instead).
struct Page {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string next_token;
};

std::variant<Page, ApiResponse> page_of(const ApiRequest& request, std::size_t total) {
  Page page{0, total, {}};
  const std::string& token = request.param("continue");
  if (!token.empty()) {
    if (token.size() < 2 || token[0] != 'o' ||
        token.find_first_not_of("0123456789", 1) != std::string::npos)
      return error_response(400, "BadRequest", "invalid continue token " + quote(token));
    page.begin = std::min<std::size_t>(std::strtoull(token.c_str() + 1, nullptr, 10), total);
  }
  const long long limit = std::atoll(request.param("limit").c_str());
  if (limit > 0 && page.begin + static_cast<std::size_t>(limit) < total) {
    page.end = page.begin + static_cast<std::size_t>(limit);
    page.next_token = "o" + std::to_string(page.end);
  }
  return page;
}

ApiResponse paged_list(const ApiRequest& request, const ResourceInfo& info,
                       const std::vector<const std::string*>& items, std::uint64_t rv) {
  auto paged = page_of(request, items.size());
  if (auto* error = std::get_if<ApiResponse>(&paged))
    return *error;
  const auto& page = std::get<Page>(paged);
  if (page.begin == 0 && page.end == items.size())
    return ApiResponse{200, "application/json", list_json(info, items, rv)};
  const std::vector<const std::string*> slice(
      items.begin() + static_cast<std::ptrdiff_t>(page.begin),
      items.begin() + static_cast<std::ptrdiff_t>(page.end));
  return ApiResponse{200, "application/json",
                     list_json(info, slice, rv, page.next_token, items.size() - page.end)};
}

std::optional<std::uint64_t> parse_resource_version(const std::string& text) {
  if (text.empty())
    return 0;
  if (text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::strtoull(text.c_str(), nullptr, 10);
}

} // namespace

ApiResponse ApiServer::get(const ApiRequest& request, const Route& route,
                           const ResourceInfo& info) const {
  auto object = store_.get(info.type.plural, route.ns, route.name);
  if (!object)
    return error_response(404, "NotFound", not_found_message(info, route.name), route.name,
                          info.type.plural);
  if (route.subresource == "scale") {
    auto doc = parse_json(*object);
    long long replicas = 0;
    if (const auto* value = find_path(*doc, "spec.replicas"); value && value->IsInt64())
      replicas = value->GetInt64();
    return ApiResponse{200, "application/json",
                       R"({"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":)" +
                           quote(route.name) + ",\"namespace\":" + quote(route.ns) +
                           "},\"spec\":{\"replicas\":" + std::to_string(replicas) +
                           "},\"status\":{\"replicas\":" + std::to_string(replicas) + "}}"};
  }
  if (!wants_table(request))
    return ApiResponse{200, "application/json", *object};
  auto doc = parse_json(*object);
  return ApiResponse{
      200, "application/json",
      render_table(info.type.plural, {&*doc}, table_objects(request), store_.resource_version())};
}

ApiResponse ApiServer::list(const ApiRequest& request, const Route& route,
                            const ResourceInfo& info) const {
  auto parsed = parse_selectors(request, info);
  if (auto* error = std::get_if<ApiResponse>(&parsed))
    return *error;
  const auto& selectors = std::get<Selectors>(parsed);
  auto snapshot = store_.snapshot(info.type.plural, route.ns);
  bool table = wants_table(request);
  if (selectors.empty() && !table) {
    std::vector<const std::string*> items;
    items.reserve(snapshot.items.size());
    for (const auto& item : snapshot.items)
      items.push_back(&item);
    return paged_list(request, info, items, snapshot.resource_version);
  }
  std::vector<rapidjson::Document> docs;
  docs.reserve(snapshot.items.size());
  std::vector<const std::string*> matching_text;
  std::vector<const rapidjson::Value*> matching_docs;
  for (const auto& item : snapshot.items) {
    auto doc = parse_json(item);
    if (!doc || !selectors.labels.matches(*doc) || !selectors.fields.matches(*doc))
      continue;
    docs.push_back(std::move(*doc));
    matching_text.push_back(&item);
  }
  if (!table)
    return paged_list(request, info, matching_text, snapshot.resource_version);
  for (const auto& doc : docs)
    matching_docs.push_back(&doc);
  return ApiResponse{200, "application/json",
                     render_table(info.type.plural, matching_docs, table_objects(request),
                                  snapshot.resource_version)};
}

std::variant<WatchPlan, ApiResponse> ApiServer::prepare_watch(const ApiRequest& request,
                                                              const Route& route) const {
  const auto* info = find_resource(route.group, route.plural);
  if (route.kind != Route::Kind::resource || !info || info->type.version != route.version ||
      !route.name.empty())
    return error_response(404, "NotFound", "the server could not find the requested resource");
  auto parsed = parse_selectors(request, *info);
  if (auto* error = std::get_if<ApiResponse>(&parsed))
    return *error;
  auto since = parse_resource_version(request.param("resourceVersion"));
  if (!since)
    return error_response(400, "BadRequest",
                          "invalid resourceVersion " + quote(request.param("resourceVersion")));
  WatchPlan plan;
  plan.plural = info->type.plural;
  plan.ns = route.ns;
  plan.since = *since;
  plan.labels = std::get<Selectors>(parsed).labels;
  plan.fields = std::get<Selectors>(parsed).fields;
  plan.table = wants_table(request);
  plan.timeout_seconds = std::atoi(request.param("timeoutSeconds").c_str());
  return plan;
}

std::optional<std::string> ApiServer::watch_event(const WatchPlan& plan,
                                                  const Change& change) const {
  const char* type = change.kind == Change::Kind::added      ? "ADDED"
                     : change.kind == Change::Kind::modified ? "MODIFIED"
                                                             : "DELETED";
  std::string prefix = std::string("{\"type\":\"") + type + "\",\"object\":";
  bool filtered = !plan.labels.requirements.empty() || !plan.fields.requirements.empty();
  if (!filtered && !plan.table)
    return prefix + change.object_json + "}\n";
  auto doc = parse_json(change.object_json);
  if (!doc || !plan.labels.matches(*doc) || !plan.fields.matches(*doc))
    return std::nullopt;
  if (!plan.table)
    return prefix + change.object_json + "}\n";
  return prefix +
         render_table(plan.plural, {&*doc}, TableObjects::metadata, change.resource_version) +
         "}\n";
}

} // namespace sim
