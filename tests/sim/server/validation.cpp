#include "server/validation.h"

#include "server/json_util.h"

#include <cctype>
#include <string_view>

namespace sim {
namespace {

bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool lower_alnum(char c) {
  return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
}

bool dns_label(std::string_view text) {
  if (text.empty() || text.size() > 63 || !lower_alnum(text.front()) || !lower_alnum(text.back()))
    return false;
  for (char c : text)
    if (!lower_alnum(c) && c != '-')
      return false;
  return true;
}

bool dns_subdomain(std::string_view text) {
  if (text.empty() || text.size() > 253)
    return false;
  std::size_t start = 0;
  while (true) {
    auto dot = text.find('.', start);
    auto part =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || !lower_alnum(part.front()) || !lower_alnum(part.back()))
      return false;
    for (char c : part)
      if (!lower_alnum(c) && c != '-')
        return false;
    if (dot == std::string_view::npos)
      return true;
    start = dot + 1;
  }
}

// A qualified name's name part, or a label value (which may also be empty).
bool qualified_part(std::string_view text) {
  if (text.empty() || text.size() > 63 || !alnum(text.front()) || !alnum(text.back()))
    return false;
  for (char c : text)
    if (!alnum(c) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

bool qualified_name(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos)
    return qualified_part(key);
  return dns_subdomain(key.substr(0, slash)) && qualified_part(key.substr(slash + 1));
}

const char* kSubdomainRule = "a lowercase RFC 1123 subdomain must consist of lower case "
                             "alphanumeric characters, '-' or '.', and must "
                             "start and end with an alphanumeric character (e.g. 'example.com', "
                             "regex used for validation is "
                             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* kLabelRule = "a lowercase RFC 1123 label must consist of lower case alphanumeric "
                         "characters or '-', and must start and "
                         "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
                         "used for validation is "
                         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char* kKeyRule = "name part must consist of alphanumeric characters, '-', '_' or '.', and "
                       "must start and end with an "
                       "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
                       "used for validation is "
                       "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
                       "prefix and '/' (e.g. "
                       "'example.com/MyName')";
const char* kValueRule = "a valid label must be an empty string or consist of alphanumeric "
                         "characters, '-', '_' or '.', and must "
                         "start and end with an alphanumeric character (e.g. 'MyValue',  or "
                         "'my_value',  or '12345', regex used "
                         "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

std::optional<FieldError> check_map(const rapidjson::Value& object, const char* field,
                                    bool check_values) {
  std::string path = std::string("metadata.") + field;
  const auto* map = find_path(object, path);
  if (!map || map->IsNull())
    return std::nullopt;
  if (!map->IsObject())
    return FieldError{path, "Invalid value: must be a map of strings"};
  for (const auto& entry : map->GetObject()) {
    std::string key = entry.name.GetString();
    if (!qualified_name(key))
      return FieldError{path, "Invalid value: " + quote(key) + ": " + kKeyRule};
    if (!entry.value.IsString())
      return FieldError{path + "." + key, "Invalid value: must be a string"};
    std::string value = entry.value.GetString();
    if (check_values && !value.empty() && !qualified_part(value))
      return FieldError{path, "Invalid value: " + quote(value) + ": " + kValueRule};
  }
  return std::nullopt;
}

} // namespace

std::optional<FieldError> validate_object(const ResourceInfo& info,
                                          const rapidjson::Value& object) {
  std::string name = string_at(object, "metadata.name");
  bool label_names = info.type.plural == "namespaces" || info.type.plural == "services";
  if (label_names ? !dns_label(name) : !dns_subdomain(name))
    return FieldError{"metadata.name", "Invalid value: " + quote(name) + ": " +
                                           (label_names ? kLabelRule : kSubdomainRule)};
  if (auto error = check_map(object, "labels", true))
    return error;
  if (auto error = check_map(object, "annotations", false))
    return error;
  return std::nullopt;
}

std::string invalid_status_json(const ResourceInfo& info, const std::string& name,
                                const FieldError& error) {
  std::string message =
      info.type.kind + " " + quote(name) + " is invalid: " + error.field + ": " + error.detail;
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)" +
         quote(message) + R"(,"reason":"Invalid","details":{"name":)" + quote(name) +
         ",\"group\":" + quote(info.type.group) + ",\"kind\":" + quote(info.type.kind) +
         R"(,"causes":[{"reason":"FieldValueInvalid","message":)" + quote(error.detail) +
         ",\"field\":" + quote(error.field) + "}]},\"code\":422}";
}

} // namespace sim
