#pragma once
// Discovery documents: /version, /api, /apis, /api/v1, /apis/<group>/<version>, the aggregated
// discovery (apidiscovery.k8s.io/v2 and v2beta1) kubectl 1.32 asks for, and minimal OpenAPI.

#include <optional>
#include <string>
#include <string_view>

namespace sim {

inline constexpr std::string_view kServerGitVersion = "v1.32.4";

std::string version_json();
std::string legacy_api_versions_json(); // /api
std::string legacy_group_list_json();   // /apis
// /api/v1 (group "") or /apis/<group>/<version>; nullopt for an unknown group version.
std::optional<std::string> resource_list_json(std::string_view group, std::string_view version);

// The aggregated document for /api (core = true) or /apis, in `discovery_version` ("v2" or
// "v2beta1"), and its Content-Type.
std::string aggregated_discovery_json(bool core, std::string_view discovery_version);
std::string aggregated_content_type(std::string_view discovery_version);
// "v2", "v2beta1", or nullopt when `accept` does not ask for aggregated discovery.
std::optional<std::string> wanted_aggregated_version(std::string_view accept);

// /openapi/v3: the root lists one document per group version. Each document
// (/openapi/v3/api/v1, /openapi/v3/apis/<group>/<version>) holds, per resource, only the PATCH
// operation of the object path with its x-kubernetes-group-version-kind and the fieldValidation
// query parameter: enough for kubectl to leave validation to the server (fieldValidation=Strict)
// instead of validating against schemas. No component schemas, so kubectl's apply computes
// strategic merge patches from its built-in types.
std::string openapi_v3_root_json();
// `path` is the request path after "/openapi/v3/" ("api/v1", "apis/apps/v1"); nullopt if unknown.
std::optional<std::string> openapi_v3_group_version_json(std::string_view path);
// /openapi/v2 is not served (404): kubectl only asks for it as protobuf, and treats its absence
// as "no schema".

} // namespace sim
