#include "mesh/stats_inclusion.h"

#include "mesh/json_text.h"
#include "server/json_util.h"

#include <sstream>

namespace sim::mesh {

namespace {

// istio/istio pkg/bootstrap/config.go (1.19) and the fixed patterns of envoy_bootstrap.json.
const std::vector<std::string> kPrefixes = {"reporter=",        "cluster_manager",
                                            "listener_manager", "server",
                                            "cluster.xds-grpc", "wasm",
                                            "component",        "istio"};
const std::vector<std::string> kSuffixes = {"rbac.allowed", "rbac.denied", "shadow_allowed",
                                            "shadow_denied"};
const std::shared_ptr<const std::regex>& required_regex() {
  static const auto regex = std::make_shared<const std::regex>(R"(vhost\.*\.route\.*)");
  return regex;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty())
      out.push_back(item);
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

// A YAML scalar as written in a list: quotes removed ('' and \" \\ unescaped).
std::string scalar(std::string s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') {
    std::string out;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
      out += s[i];
      if (s[i] == '\'' && s[i + 1] == '\'')
        ++i;
    }
    return out;
  }
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size())
        ++i;
      out += s[i];
    }
    return out;
  }
  return s;
}

using Lists = std::map<std::string, std::vector<std::string>>;

// proxyStatsMatcher from proxy.istio.io/config: JSON, or the block/flow YAML people write
// (`proxyStatsMatcher:` / `  inclusionRegexps:` / `  - ".*ssl.*"`, or `[a, b]`).
Lists proxy_stats_matcher(const std::string& config) {
  Lists out;
  if (auto doc = parse_json(config); doc && doc->IsObject()) {
    if (const auto* m = member(*doc, "proxyStatsMatcher"); m && m->IsObject())
      for (const auto& kv : m->GetObject())
        if (kv.value.IsArray())
          for (const auto& item : kv.value.GetArray())
            if (item.IsString())
              out[kv.name.GetString()].emplace_back(item.GetString());
    return out;
  }
  std::stringstream in(config);
  bool inside = false;
  std::string key;
  for (std::string line; std::getline(in, line);) {
    std::string text = trim(line);
    if (text.empty() || text[0] == '#')
      continue;
    bool indented = line[0] == ' ' || line[0] == '\t';
    if (!indented) {
      inside = text.rfind("proxyStatsMatcher:", 0) == 0;
      key.clear();
      continue;
    }
    if (!inside)
      continue;
    if (text.rfind("- ", 0) == 0) {
      if (!key.empty())
        out[key].push_back(scalar(text.substr(2)));
      continue;
    }
    auto colon = text.find(':');
    if (colon == std::string::npos)
      continue;
    key = trim(text.substr(0, colon));
    std::string rest = trim(text.substr(colon + 1));
    if (rest.size() >= 2 && rest.front() == '[' && rest.back() == ']')
      for (const auto& item : split_commas(rest.substr(1, rest.size() - 2)))
        out[key].push_back(scalar(item));
  }
  return out;
}

} // namespace

StatsInclusion::StatsInclusion() : prefixes_(kPrefixes), suffixes_(kSuffixes) {
  regexps_.push_back(required_regex());
}

StatsInclusion::StatsInclusion(const std::map<std::string, std::string>& annotations) {
  auto get = [&](const char* key) -> const std::string* {
    auto it = annotations.find(key);
    return it == annotations.end() ? nullptr : &it->second;
  };
  Lists config;
  if (const auto* c = get("proxy.istio.io/config"))
    config = proxy_stats_matcher(*c);
  auto pick = [&](const char* annotation, const char* field) {
    if (const auto* a = get(annotation); a && !a->empty())
      return split_commas(*a);
    return config[field];
  };
  prefixes_ = pick("sidecar.istio.io/statsInclusionPrefixes", "inclusionPrefixes");
  suffixes_ = pick("sidecar.istio.io/statsInclusionSuffixes", "inclusionSuffixes");
  for (const auto& regex : pick("sidecar.istio.io/statsInclusionRegexps", "inclusionRegexps")) {
    try {
      regexps_.push_back(std::make_shared<const std::regex>(regex, std::regex::ECMAScript));
    } catch (const std::regex_error&) {
      // Envoy would refuse the bootstrap; here the pattern just matches nothing.
    }
  }
  prefixes_.insert(prefixes_.end(), kPrefixes.begin(), kPrefixes.end());
  suffixes_.insert(suffixes_.end(), kSuffixes.begin(), kSuffixes.end());
  regexps_.push_back(required_regex());
}

bool StatsInclusion::includes(std::string_view name) const {
  for (const auto& p : prefixes_)
    if (name.substr(0, p.size()) == p)
      return true;
  for (const auto& s : suffixes_)
    if (name.size() >= s.size() && name.substr(name.size() - s.size()) == s)
      return true;
  for (const auto& r : regexps_)
    if (std::regex_match(name.begin(), name.end(), *r))
      return true;
  return false;
}

} // namespace sim::mesh
