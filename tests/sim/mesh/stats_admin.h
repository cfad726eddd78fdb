#pragma once
// Envoy's admin stats endpoints over a list of stats: `/stats` (text `name: value`, sorted by
// name; `format=json`: {"stats":[{"name","value"}]}), `/stats?format=prometheus` and
// `/stats/prometheus` (`# TYPE` per metric, counters then gauges, tags as labels, integer
// values). `filter=REGEX` keeps stats whose full dotted name the regex finds (unanchored, as
// Envoy's RE2 PartialMatch; here ECMAScript), also for Prometheus; a bad regex is a 400.
// `usedonly` keeps stats that were ever incremented or set. The query is percent-decoded.

#include "mesh/dump_query.h"
#include "mesh/stat_key.h"

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sim::mesh {

struct Stat {
  StatKey key;
  bool gauge = false;
  std::uint64_t value = 0;
  bool used = false;
};

struct StatsQuery {
  enum class Format { text, json, prometheus } format = Format::text;
  bool used_only = false;
  std::optional<std::regex> filter;

  bool keeps(const Stat& stat) const;
};

// `prometheus_path`: the request was /stats/prometheus. An error is the admin API's answer.
std::variant<StatsQuery, AdminResponse> parse_stats_query(std::string_view query,
                                                          bool prometheus_path);
AdminResponse render_stats(const std::vector<Stat>& stats, const StatsQuery& query);

// One Prometheus sample line's labels: {a="x",b="y"} (empty when there are none), escaped.
std::string prometheus_labels(const StatTags& tags);

} // namespace sim::mesh
