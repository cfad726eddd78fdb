#pragma once
// Envoy's /config_dump query parameters (admin.rst): resource=, mask=, name_regex=, include_eds.
// Applied to a full dump document, with Envoy's answers for bad input:
//   resource not in any dump   -> 404 "<resource> not found in config dump"
//   resource not repeated      -> 400 "<resource> is not a repeated field. Use ?mask=<resource>
//   ..." bad name_regex             -> 400

#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sim::mesh {

struct DumpQuery {
  std::string resource;
  std::vector<std::string> mask_paths; // "a.b" dotted FieldMask paths
  std::string name_regex;
  bool include_eds = false;

  bool plain() const { return resource.empty() && mask_paths.empty() && name_regex.empty(); }
  std::string key() const; // canonical form, for caches
};

struct AdminResponse {
  int status = 200;
  std::string body;
};

// Parses the part after '?' (percent-decoded; unknown parameters ignored, as Envoy does).
DumpQuery parse_dump_query(std::string_view query);

// Filters `dump` ({"configs":[...]}) per `query` (include_eds is the caller's business: the
// EndpointsConfigDump must already be in `dump` when asked for) and renders the answer.
AdminResponse apply_dump_query(rapidjson::Document& dump, const DumpQuery& query);

std::string percent_decode(std::string_view text);

} // namespace sim::mesh
