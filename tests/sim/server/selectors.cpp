#include "server/selectors.h"

#include "server/json_util.h"

#include <algorithm>
#include <cctype>

namespace sim {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

// Splits on commas that are not inside parentheses.
std::vector<std::string_view> split_terms(std::string_view text) {
  std::vector<std::string_view> terms;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      auto term = trim(text.substr(start, i - start));
      if (!term.empty())
        terms.push_back(term);
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  return terms;
}

bool valid_key(std::string_view key) {
  if (key.empty() || key.size() > 316)
    return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '/';
  });
}

std::optional<LabelRequirement> parse_set_term(std::string_view term, std::size_t space) {
  std::string_view key = trim(term.substr(0, space));
  std::string_view rest = trim(term.substr(space));
  LabelRequirement requirement{LabelRequirement::Op::in, std::string(key), {}};
  if (rest.rfind("notin", 0) == 0) {
    requirement.op = LabelRequirement::Op::not_in;
    rest = trim(rest.substr(5));
  } else if (rest.rfind("in", 0) == 0) {
    rest = trim(rest.substr(2));
  } else {
    return std::nullopt;
  }
  if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')')
    return std::nullopt;
  rest = rest.substr(1, rest.size() - 2);
  while (!rest.empty()) {
    auto comma = rest.find(',');
    requirement.values.emplace_back(trim(rest.substr(0, comma)));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  if (!valid_key(key))
    return std::nullopt;
  return requirement;
}

std::optional<LabelRequirement> parse_label_term(std::string_view term) {
  if (term.front() == '!') {
    auto key = trim(term.substr(1));
    if (!valid_key(key))
      return std::nullopt;
    return LabelRequirement{LabelRequirement::Op::not_exists, std::string(key), {}};
  }
  if (auto pos = term.find("!="); pos != std::string_view::npos)
    return LabelRequirement{LabelRequirement::Op::not_equals,
                            std::string(trim(term.substr(0, pos))),
                            {std::string(trim(term.substr(pos + 2)))}};
  if (auto pos = term.find("=="); pos != std::string_view::npos)
    return LabelRequirement{LabelRequirement::Op::equals,
                            std::string(trim(term.substr(0, pos))),
                            {std::string(trim(term.substr(pos + 2)))}};
  if (auto pos = term.find('='); pos != std::string_view::npos)
    return LabelRequirement{LabelRequirement::Op::equals,
                            std::string(trim(term.substr(0, pos))),
                            {std::string(trim(term.substr(pos + 1)))}};
  if (auto space = term.find(' '); space != std::string_view::npos)
    return parse_set_term(term, space);
  if (!valid_key(term))
    return std::nullopt;
  return LabelRequirement{LabelRequirement::Op::exists, std::string(term), {}};
}

bool requirement_matches(const LabelRequirement& requirement, const rapidjson::Value* labels) {
  const rapidjson::Value* value = labels ? member(*labels, requirement.key) : nullptr;
  bool present = value && value->IsString();
  std::string text = present ? value->GetString() : "";
  auto in_values = [&] {
    return std::find(requirement.values.begin(), requirement.values.end(), text) !=
           requirement.values.end();
  };
  switch (requirement.op) {
  case LabelRequirement::Op::equals:
    return present && text == requirement.values.front();
  case LabelRequirement::Op::not_equals:
    return !present || text != requirement.values.front();
  case LabelRequirement::Op::in:
    return present && in_values();
  case LabelRequirement::Op::not_in:
    return !present || !in_values();
  case LabelRequirement::Op::exists:
    return present;
  case LabelRequirement::Op::not_exists:
    return !present;
  }
  return false;
}

// A field's value as the API compares it: strings as they are, numbers and booleans as text,
// a missing field as "".
std::string field_text(const rapidjson::Value& object, const std::string& path) {
  const auto* value = find_path(object, path);
  if (!value)
    return "";
  if (value->IsString())
    return value->GetString();
  if (value->IsBool())
    return value->GetBool() ? "true" : "false";
  if (value->IsInt64())
    return std::to_string(value->GetInt64());
  return to_json(*value);
}

} // namespace

bool LabelSelector::matches(const rapidjson::Value& object) const {
  const auto* labels = find_path(object, "metadata.labels");
  return std::all_of(requirements.begin(), requirements.end(), [&](const auto& requirement) {
    return requirement_matches(requirement, labels);
  });
}

bool FieldSelector::matches(const rapidjson::Value& object) const {
  return std::all_of(requirements.begin(), requirements.end(), [&](const auto& requirement) {
    return (field_text(object, requirement.path) == requirement.value) != requirement.negated;
  });
}

std::variant<LabelSelector, std::string> parse_label_selector(std::string_view text) {
  LabelSelector selector;
  for (auto term : split_terms(text)) {
    auto requirement = parse_label_term(term);
    if (!requirement || requirement->key.empty() || !valid_key(requirement->key))
      return "unable to parse requirement: found '" + std::string(term) +
             "', expected a valid label selector term";
    selector.requirements.push_back(std::move(*requirement));
  }
  return selector;
}

std::variant<FieldSelector, std::string> parse_field_selector(std::string_view text) {
  FieldSelector selector;
  for (auto term : split_terms(text)) {
    FieldRequirement requirement;
    std::size_t pos = term.find("!=");
    std::size_t skip = 2;
    if (pos != std::string_view::npos) {
      requirement.negated = true;
    } else if ((pos = term.find("==")) == std::string_view::npos) {
      pos = term.find('=');
      skip = 1;
    }
    if (pos == std::string_view::npos || pos == 0)
      return "invalid selector: '" + std::string(term) + "'; can't understand '" +
             std::string(term) + "'";
    requirement.path = std::string(trim(term.substr(0, pos)));
    requirement.value = std::string(trim(term.substr(pos + skip)));
    selector.requirements.push_back(std::move(requirement));
  }
  return selector;
}

} // namespace sim
