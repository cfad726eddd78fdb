#pragma once
// Label and field selectors as the Kubernetes API parses them from `labelSelector=` and
// `fieldSelector=` query parameters.

#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sim {

struct LabelRequirement {
  enum class Op { equals, not_equals, in, not_in, exists, not_exists } op;
  std::string key;
  std::vector<std::string> values;
};

// Requirements are ANDed. An empty selector matches everything.
struct LabelSelector {
  std::vector<LabelRequirement> requirements;
  bool matches(const rapidjson::Value& object) const; // against object.metadata.labels
};

struct FieldRequirement {
  std::string path; // "metadata.name", "status.phase", ...
  bool negated = false;
  std::string value;
};

struct FieldSelector {
  std::vector<FieldRequirement> requirements;
  bool matches(const rapidjson::Value& object) const;
};

// Parse errors are messages for a 400 BadRequest ("unable to parse requirement: ...").
std::variant<LabelSelector, std::string> parse_label_selector(std::string_view text);
std::variant<FieldSelector, std::string> parse_field_selector(std::string_view text);

} // namespace sim
