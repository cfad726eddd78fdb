#include "mesh/label_selector.h"

#include <algorithm>

namespace sim::mesh {

namespace {
bool expression_matches(const rapidjson::Value& expr, const LabelMap& labels) {
  if (!expr.IsObject() || !expr.HasMember("key") || !expr["key"].IsString())
    return false;
  std::string key = expr["key"].GetString();
  std::string op =
      expr.HasMember("operator") && expr["operator"].IsString() ? expr["operator"].GetString() : "";
  auto it = labels.find(key);
  auto in_values = [&] {
    if (it == labels.end() || !expr.HasMember("values") || !expr["values"].IsArray())
      return false;
    const auto& values = expr["values"].GetArray();
    return std::any_of(values.begin(), values.end(), [&](const rapidjson::Value& v) {
      return v.IsString() && it->second == v.GetString();
    });
  };
  if (op == "In")
    return in_values();
  if (op == "NotIn")
    return !in_values(); // a missing label is "not in"
  if (op == "Exists")
    return it != labels.end();
  if (op == "DoesNotExist")
    return it == labels.end();
  return false;
}
} // namespace

bool selector_matches(const rapidjson::Value* selector, const LabelMap& labels) {
  if (!selector || !selector->IsObject())
    return true;
  if (selector->HasMember("matchLabels") && (*selector)["matchLabels"].IsObject()) {
    for (const auto& m : (*selector)["matchLabels"].GetObject()) {
      auto it = labels.find(m.name.GetString());
      if (it == labels.end() || !m.value.IsString() || it->second != m.value.GetString())
        return false;
    }
  }
  if (selector->HasMember("matchExpressions") && (*selector)["matchExpressions"].IsArray()) {
    for (const auto& expr : (*selector)["matchExpressions"].GetArray())
      if (!expression_matches(expr, labels))
        return false;
  }
  return true;
}

LabelMap labels_of(const rapidjson::Value& object) {
  LabelMap out;
  if (!object.IsObject() || !object.HasMember("metadata"))
    return out;
  const auto& meta = object["metadata"];
  if (!meta.IsObject() || !meta.HasMember("labels") || !meta["labels"].IsObject())
    return out;
  for (const auto& m : meta["labels"].GetObject())
    if (m.value.IsString())
      out[m.name.GetString()] = m.value.GetString();
  return out;
}

LabelMap to_map(const Labels& labels) {
  return LabelMap(labels.begin(), labels.end());
}

} // namespace sim::mesh
