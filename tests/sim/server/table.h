#pragma once
// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for (`Accept: ...;as=Table;...`)
// when it prints its default and wide output.

#include <cstdint>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace sim {

enum class TableObjects { none, metadata, full }; // the includeObject= query parameter

// A Table of `objects` (all of resource `plural`) with the columns `kubectl get` shows for that
// resource (NAME/AGE for resources without their own printer).
std::string render_table(const std::string& plural,
                         const std::vector<const rapidjson::Value*>& objects, TableObjects include,
                         std::uint64_t resource_version);

// Kubernetes' HumanDuration: "45s", "3m20s", "5h", "2d3h", ...
std::string human_duration(long long seconds);

} // namespace sim
