#include "mesh/stats_admin.h"

#include <algorithm>

namespace sim::mesh {

bool StatsQuery::keeps(const Stat& stat) const {
  if (used_only && !stat.used)
    return false;
  return !filter || std::regex_search(stat.key.name, *filter);
}

std::variant<StatsQuery, AdminResponse> parse_stats_query(std::string_view query,
                                                          bool prometheus_path) {
  StatsQuery q;
  if (prometheus_path)
    q.format = StatsQuery::Format::prometheus;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (key == "usedonly") {
      q.used_only = true;
    } else if (key == "filter" && !value.empty()) {
      try {
        q.filter.emplace(value, std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        return AdminResponse{400, "Invalid re2 regex"};
      }
    } else if (key == "format" && !prometheus_path) {
      if (value == "json")
        q.format = StatsQuery::Format::json;
      else if (value == "prometheus")
        q.format = StatsQuery::Format::prometheus;
      else if (value != "text")
        return AdminResponse{400,
                             "usage: /stats?format=(html|active-html|json|prometheus|text)\n\n"};
    }
  }
  return q;
}

std::string prometheus_labels(const StatTags& tags) {
  if (tags.empty())
    return {};
  std::string out = "{";
  for (const auto& [name, value] : tags) {
    if (out.size() > 1)
      out += ',';
    out += name + "=\"";
    for (char c : value) {
      if (c == '\\' || c == '"')
        out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

namespace {

std::string text(std::vector<const Stat*> stats) {
  std::sort(stats.begin(), stats.end(),
            [](const Stat* a, const Stat* b) { return a->key.name < b->key.name; });
  std::string out;
  for (const Stat* s : stats)
    out += s->key.name + ": " + std::to_string(s->value) + "\n";
  return out;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string json(std::vector<const Stat*> stats) {
  std::sort(stats.begin(), stats.end(),
            [](const Stat* a, const Stat* b) { return a->key.name < b->key.name; });
  std::string out = "{\n \"stats\": [";
  for (std::size_t i = 0; i < stats.size(); ++i)
    out += std::string(i ? "," : "") + "\n  {\n   \"name\": " + json_string(stats[i]->key.name) +
           ",\n   \"value\": " + std::to_string(stats[i]->value) + "\n  }";
  return out + "\n ]\n}";
}

// Envoy groups by tag-extracted name: counters first, then gauges.
std::string prometheus(std::vector<const Stat*> stats) {
  std::stable_sort(stats.begin(), stats.end(), [](const Stat* a, const Stat* b) {
    if (a->gauge != b->gauge)
      return !a->gauge;
    if (a->key.prom_name != b->key.prom_name)
      return a->key.prom_name < b->key.prom_name;
    return a->key.name < b->key.name;
  });
  std::string out;
  for (std::size_t i = 0; i < stats.size(); ++i) {
    const Stat& s = *stats[i];
    if (i == 0 || stats[i - 1]->key.prom_name != s.key.prom_name || stats[i - 1]->gauge != s.gauge)
      out += "# TYPE " + s.key.prom_name + (s.gauge ? " gauge\n" : " counter\n");
    out += s.key.prom_name + prometheus_labels(s.key.tags) + " " + std::to_string(s.value) + "\n";
  }
  return out;
}

} // namespace

AdminResponse render_stats(const std::vector<Stat>& stats, const StatsQuery& query) {
  std::vector<const Stat*> kept;
  for (const auto& s : stats)
    if (query.keeps(s))
      kept.push_back(&s);
  switch (query.format) {
  case StatsQuery::Format::json:
    return {200, json(std::move(kept))};
  case StatsQuery::Format::prometheus:
    return {200, prometheus(std::move(kept))};
  case StatsQuery::Format::text:
    break;
  }
  return {200, text(std::move(kept))};
}

} // namespace sim::mesh
