#pragma once
// An HTTP request as the API layer sees it (no Beast types), and what it addresses.

#include "server/faults.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

struct ApiRequest {
  std::string method;                            // "GET", "POST", ...
  std::string path;                              // without the query string
  std::multimap<std::string, std::string> query; // percent-decoded
  std::string content_type, accept, body;
  bool websocket_upgrade = false;

  std::string param(std::string_view key) const; // the first value, or ""
  bool has_param(std::string_view key) const;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Splits "/api/v1/pods?watch=1&x=%2F" into path and decoded query parameters.
void parse_target(std::string_view target, ApiRequest& request);

struct Route {
  enum class Kind {
    version,
    api_root,
    apis_root,
    group_version,
    openapi_v2,
    openapi_v3,
    resource,
    simctl,
    health,
    other
  } kind = Kind::other;
  std::string group, version, ns, plural, name, subresource;
  std::string verb; // get, list, watch, create, update, patch, delete, deletecollection, exec
};

// Classifies the request path. A resource route's plural may still be unknown to the server.
Route classify(const ApiRequest& request);
RequestKey request_key(const Route& route);

// A metav1.Status body for an error (or "Success" for code 200).
std::string status_json(int code, std::string_view reason, std::string_view message,
                        std::string_view name = {}, std::string_view kind = {});
ApiResponse error_response(int code, std::string_view reason, std::string_view message,
                           std::string_view name = {}, std::string_view kind = {});

} // namespace sim
