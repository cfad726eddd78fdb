#include "meshca/mesh/trust_domains.h"

#include "meshca/util/json.h"

namespace meshca::mesh {
namespace {

constexpr std::string_view kSpiffe = "spiffe://";

bool is_key(const rapidjson::Value& name, std::string_view snake, std::string_view camel) {
  const std::string_view key(name.GetString(), name.GetStringLength());
  return key == snake || key == camel;
}

void add_uri(std::string_view uri, std::set<std::string>& out) {
  if (const auto domain = trust_domain_of(uri))
    out.emplace(*domain);
}

// An envoy.type.matcher.v3.StringMatcher.
void add_string_matcher(const rapidjson::Value& matcher, std::set<std::string>& out) {
  for (const char* form : {"exact", "prefix", "contains"}) {
    if (const auto text = json::string_member(matcher, form))
      add_uri(*text, out);
  }
  if (const auto* regex = json::object_member(matcher, "safe_regex")) {
    if (const auto text = json::string_member(*regex, "regex")) {
      if (auto domain = trust_domain_of_regex(*text))
        out.emplace(std::move(*domain));
    }
  }
}

// SubjectAltNameMatcher.san_type is the string "URI" or, from istioctl (EnumsAsInts), 3.
bool is_uri_san_type(const rapidjson::Value* type) {
  if (type == nullptr)
    return false;
  return (type->IsString() && json::as_string(*type) == "URI") ||
         (type->IsInt() && type->GetInt() == 3);
}

void visit(const rapidjson::Value& value, int depth, std::set<std::string>& out) {
  if (depth > kMaxSanMatcherDepth)
    return;
  if (value.IsArray()) {
    for (const auto& item : value.GetArray())
      visit(item, depth + 1, out);
    return;
  }
  if (!value.IsObject())
    return;
  for (const auto& member : value.GetObject()) {
    const auto& v = member.value;
    if (!v.IsArray()) {
      if (v.IsObject())
        visit(v, depth + 1, out);
      continue;
    }
    if (is_key(member.name, "match_subject_alt_names", "matchSubjectAltNames")) {
      for (const auto& matcher : v.GetArray())
        add_string_matcher(matcher, out);
    } else if (is_key(member.name, "match_typed_subject_alt_names", "matchTypedSubjectAltNames")) {
      for (const auto& typed : v.GetArray()) {
        const auto* matcher = json::object_member(typed, "matcher");
        if (matcher != nullptr && is_uri_san_type(json::member(typed, "san_type")))
          add_string_matcher(*matcher, out);
      }
    } else if (is_key(member.name, "verify_subject_alt_name", "verifySubjectAltName")) {
      for (const auto& name : v.GetArray()) {
        if (const auto text = json::as_string(name))
          add_uri(*text, out);
      }
    } else {
      visit(v, depth + 1, out);
    }
  }
}

} // namespace

std::optional<std::string> trust_domain_of_regex(std::string_view regex) {
  if (regex.starts_with('^'))
    regex.remove_prefix(1);
  if (!regex.starts_with(kSpiffe))
    return std::nullopt;
  regex.remove_prefix(kSpiffe.size());
  std::string domain;
  for (std::size_t i = 0; i < regex.size() && regex[i] != '/'; ++i) {
    const char c = regex[i];
    if (c == '\\' && i + 1 < regex.size() && (regex[i + 1] == '.' || regex[i + 1] == '-')) {
      domain += regex[++i];
    } else if (std::string_view("\\.[](){}*+?|^$").find(c) != std::string_view::npos) {
      return std::nullopt; // not a literal trust domain
    } else {
      domain += c;
    }
  }
  if (domain.empty())
    return std::nullopt;
  return domain;
}

std::optional<std::string_view> trust_domain_of(std::string_view uri) {
  if (!uri.starts_with(kSpiffe))
    return std::nullopt;
  uri.remove_prefix(kSpiffe.size());
  const std::string_view domain = uri.substr(0, uri.find('/'));
  if (domain.empty())
    return std::nullopt;
  return domain;
}

void collect_trust_domains(const rapidjson::Value& config, std::set<std::string>& out) {
  visit(config, 0, out);
}

} // namespace meshca::mesh
