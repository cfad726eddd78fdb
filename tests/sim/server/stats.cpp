#include "server/stats.h"

#include "server/json_util.h"

namespace sim {

void Stats::add(std::string_view key, std::int64_t delta) {
  std::lock_guard lock(mu_);
  auto it = counters_.find(key);
  if (it == counters_.end())
    counters_.emplace(std::string(key), delta);
  else
    it->second += delta;
}

void Stats::add_distinct(std::string_view key, std::string member) {
  std::lock_guard lock(mu_);
  auto seen = members_.find(key);
  if (seen == members_.end())
    seen = members_.emplace(std::string(key), std::set<std::string>{}).first;
  if (seen->second.insert(std::move(member)).second)
    ++counters_[std::string(key)];
}

std::int64_t Stats::value(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = counters_.find(key);
  return it == counters_.end() ? 0 : it->second;
}

std::string Stats::to_json() const {
  std::lock_guard lock(mu_);
  std::string json = "{";
  for (const auto& [key, value] : counters_)
    json += (json.size() > 1 ? "," : "") + quote(key) + ":" + std::to_string(value);
  return json + "}";
}

void Stats::reset() {
  std::lock_guard lock(mu_);
  for (auto& [key, value] : counters_)
    if (key.find(".active") == std::string::npos)
      value = 0;
  members_.clear();
}

} // namespace sim
