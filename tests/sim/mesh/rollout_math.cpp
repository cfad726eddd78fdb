#include "mesh/rollout_math.h"

#include "server/json_util.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

namespace sim::mesh {

namespace {
constexpr const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
constexpr std::size_t kAlphabetSize = sizeof kAlphabet - 1;
} // namespace

std::string template_hash(const rapidjson::Value& pod_template) {
  std::string text = to_json(pod_template);
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  std::string out;
  for (int i = 0; i < 10; ++i) {
    out.push_back(kAlphabet[h % kAlphabetSize]);
    h /= kAlphabetSize;
    if (h == 0)
      h = 0x9e3779b97f4a7c15ULL ^ static_cast<std::uint64_t>(i);
  }
  return out;
}

std::string random_suffix5() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string out;
  for (int i = 0; i < 5; ++i)
    out.push_back(kAlphabet[rng() % kAlphabetSize]);
  return out;
}

int int_or_percent(const rapidjson::Value* value, int total, bool round_up, const char* fallback) {
  std::string text = fallback;
  if (value && value->IsInt())
    return std::max(0, value->GetInt());
  if (value && value->IsString())
    text = value->GetString();
  if (!text.empty() && text.back() == '%') {
    double share = std::atof(text.c_str()) * total / 100.0;
    return static_cast<int>(round_up ? std::ceil(share) : std::floor(share));
  }
  return std::max(0, std::atoi(text.c_str()));
}

RollingOutput rolling_step(const RollingInput& in) {
  RollingOutput out{in.new_replicas, in.old_replicas};
  int old_total = 0;
  for (int r : in.old_replicas)
    old_total += r;
  if (in.recreate) {
    std::fill(out.old_replicas.begin(), out.old_replicas.end(), 0);
    int old_ready = 0;
    for (int r : in.old_ready)
      old_ready += r;
    out.new_replicas = old_ready == 0 ? in.desired : in.new_replicas;
    return out;
  }
  int surge = in.max_surge;
  int unavailable = in.max_unavailable;
  if (surge == 0 && unavailable == 0)
    unavailable = 1;
  // Scale up the new set within desired + surge.
  out.new_replicas =
      std::max(in.new_replicas, std::min(in.desired, in.desired + surge - old_total));
  if (in.new_replicas > in.desired)
    out.new_replicas = in.desired;
  // Scale down old sets: not-ready old pods go first, ready ones while enough stay available.
  int ready_total = in.new_ready;
  for (int r : in.old_ready)
    ready_total += r;
  int budget = std::max(0, ready_total - (in.desired - unavailable));
  for (std::size_t i = 0; i < out.old_replicas.size(); ++i)
    budget += std::max(0, in.old_replicas[i] - in.old_ready[i]);
  for (std::size_t i = 0; i < out.old_replicas.size() && budget > 0; ++i) {
    int cut = std::min(budget, out.old_replicas[i]);
    out.old_replicas[i] -= cut;
    budget -= cut;
  }
  return out;
}

void carry_condition_times(rapidjson::Value& fresh, const rapidjson::Value* old,
                           const std::string& now, rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Value* conditions = member(fresh, "conditions");
  if (!conditions || !conditions->IsArray())
    return;
  const rapidjson::Value* old_conditions = old ? member(*old, "conditions") : nullptr;
  for (auto& c : conditions->GetArray()) {
    const rapidjson::Value* previous = nullptr;
    if (old_conditions && old_conditions->IsArray())
      for (const auto& o : old_conditions->GetArray())
        if (string_member(o, "type") == string_member(c, "type"))
          previous = &o;
    bool same_status = previous && string_member(*previous, "status") == string_member(c, "status");
    bool same = same_status && string_member(*previous, "reason") == string_member(c, "reason") &&
                string_member(*previous, "message") == string_member(c, "message");
    auto keep = [&](const char* key, bool unchanged) {
      std::string before = previous ? string_member(*previous, key) : "";
      set_string(c, key, unchanged && !before.empty() ? before : now, alloc);
    };
    keep("lastTransitionTime", same_status);
    keep("lastUpdateTime", same);
  }
}

} // namespace sim::mesh
