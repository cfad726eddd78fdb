#include "server/request.h"

#include "server/json_util.h"

#include <vector>

namespace sim {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos)
      slash = path.size();
    if (slash > start)
      parts.push_back(percent_decode(path.substr(start, slash - start)));
    start = slash + 1;
  }
  return parts;
}

std::string verb_for(const ApiRequest& request, const Route& route) {
  bool collection = route.name.empty();
  if (route.subresource == "exec" || route.subresource == "attach")
    return "exec";
  const auto& m = request.method;
  if (m == "GET" || m == "HEAD") {
    std::string watch = request.param("watch");
    if (collection)
      return watch == "true" || watch == "1" ? "watch" : "list";
    return "get";
  }
  if (m == "POST")
    return "create";
  if (m == "PUT")
    return "update";
  if (m == "PATCH")
    return "patch";
  if (m == "DELETE")
    return collection ? "deletecollection" : "delete";
  return "unknown";
}

// segments after the group version: [namespaces NS] PLURAL [NAME [SUBRESOURCE]]
void resource_route(const std::vector<std::string>& rest, Route& route) {
  std::vector<std::string> parts = rest;
  if (parts.size() >= 3 && parts[0] == "namespaces" &&
      !(parts.size() == 3 && (parts[2] == "status" || parts[2] == "finalize"))) {
    route.ns = parts[1];
    parts.erase(parts.begin(), parts.begin() + 2);
  }
  if (!parts.empty())
    route.plural = parts[0];
  if (parts.size() > 1)
    route.name = parts[1];
  if (parts.size() > 2)
    route.subresource = parts[2];
  if (parts.size() > 3)
    route.kind = Route::Kind::other;
}

} // namespace

std::string ApiRequest::param(std::string_view key) const {
  auto it = query.find(std::string(key));
  return it == query.end() ? std::string() : it->second;
}

bool ApiRequest::has_param(std::string_view key) const {
  return query.count(std::string(key)) > 0;
}

void parse_target(std::string_view target, ApiRequest& request) {
  auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question == std::string_view::npos)
    return;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (!pair.empty())
      request.query.emplace(percent_decode(pair.substr(0, eq)),
                            eq == std::string_view::npos ? std::string()
                                                         : percent_decode(pair.substr(eq + 1)));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
}

Route classify(const ApiRequest& request) {
  Route route;
  auto parts = split_path(request.path);
  if (parts.empty())
    return route;
  if (parts[0] == "version" && parts.size() == 1) {
    route.kind = Route::Kind::version;
  } else if (parts[0] == "healthz" || parts[0] == "readyz" || parts[0] == "livez") {
    route.kind = Route::Kind::health;
  } else if (parts[0] == "simctl") {
    route.kind = Route::Kind::simctl;
    route.name = parts.size() > 1 ? parts[1] : "";
  } else if (parts[0] == "openapi" && parts.size() >= 2) {
    route.kind = parts[1] == "v2" ? Route::Kind::openapi_v2 : Route::Kind::openapi_v3;
  } else if (parts[0] == "api") {
    if (parts.size() == 1) {
      route.kind = Route::Kind::api_root;
    } else {
      route.version = parts[1];
      route.kind = parts.size() == 2 ? Route::Kind::group_version : Route::Kind::resource;
      resource_route({parts.begin() + 2, parts.end()}, route);
    }
  } else if (parts[0] == "apis") {
    if (parts.size() == 1) {
      route.kind = Route::Kind::apis_root;
    } else if (parts.size() >= 3) {
      route.group = parts[1];
      route.version = parts[2];
      route.kind = parts.size() == 3 ? Route::Kind::group_version : Route::Kind::resource;
      resource_route({parts.begin() + 3, parts.end()}, route);
    }
  }
  if (route.kind == Route::Kind::resource)
    route.verb = verb_for(request, route);
  return route;
}

RequestKey request_key(const Route& route) {
  return RequestKey{route.verb, route.plural, route.subresource, route.ns, route.name};
}

std::string status_json(int code, std::string_view reason, std::string_view message,
                        std::string_view name, std::string_view kind) {
  std::string details;
  if (!name.empty() || !kind.empty())
    details = ",\"details\":{\"name\":" + quote(name) + ",\"kind\":" + quote(kind) + "}";
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":)" +
         std::string(code < 300 ? "\"Success\"" : "\"Failure\"") +
         ",\"message\":" + quote(message) + ",\"reason\":" + quote(reason) + details +
         ",\"code\":" + std::to_string(code) + "}";
}

ApiResponse error_response(int code, std::string_view reason, std::string_view message,
                           std::string_view name, std::string_view kind) {
  return ApiResponse{code, "application/json", status_json(code, reason, message, name, kind)};
}

} // namespace sim
