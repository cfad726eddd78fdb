#pragma once
// The resource types the simulated API server serves, and lookups over them.

#include "server/store.h"

#include <string>
#include <string_view>
#include <vector>

namespace sim {

struct ResourceInfo {
  ResourceType type;
  std::string singular;
  std::vector<std::string> short_names;
  bool has_status = false; // a /status subresource (and status kept on main-resource writes)
  bool has_scale = false;
  std::vector<std::string> categories; // "all" for `kubectl get all`

  std::string api_version() const { // "v1" or "apps/v1"
    return type.group.empty() ? type.version : type.group + "/" + type.version;
  }
};

// Every resource type, core first.
const std::vector<ResourceInfo>& all_resources();
// By plural ("pods"); nullptr when unknown. With a group, the group must match too.
const ResourceInfo* find_resource(std::string_view plural);
const ResourceInfo* find_resource(std::string_view group, std::string_view plural);

} // namespace sim
