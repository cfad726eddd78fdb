#include "server/faults.h"

#include "server/json_util.h"

namespace sim {
namespace {

int int_member(const rapidjson::Value& object, const char* key, int fallback) {
  const auto* value = member(object, key);
  return value && value->IsInt() ? value->GetInt() : fallback;
}

} // namespace

bool Faults::Rule::matches(const RequestKey& key) const {
  bool verb_ok = verb == "*" || verb == key.verb;
  std::string full = key.subresource.empty() ? key.resource : key.resource + "/" + key.subresource;
  bool resource_ok =
      resource == "*" || resource == full || (resource == key.resource && key.subresource.empty());
  return verb_ok && resource_ok && (ns.empty() || ns == key.ns) &&
         (name.empty() || name == key.name);
}

bool Faults::PodRule::matches(const std::string& ns, const std::string& pod_name) const {
  return pod == ns + "/" + pod_name || pod == pod_name || pod == "*";
}

std::optional<std::string> Faults::apply_json(const std::string& json) {
  auto doc = parse_json(json);
  if (!doc || !doc->IsObject())
    return std::string("the fault document must be a JSON object");
  auto rules = [&](const char* key, std::vector<Rule>& out) -> std::optional<std::string> {
    const auto* list = member(*doc, key);
    if (!list)
      return std::nullopt;
    if (!list->IsArray())
      return std::string(key) + " must be an array of rules";
    std::vector<Rule> parsed;
    for (const auto& item : list->GetArray()) {
      if (!item.IsObject())
        return std::string(key) + " entries must be objects";
      Rule rule;
      if (auto verb = string_member(item, "verb"); !verb.empty())
        rule.verb = verb;
      if (auto resource = string_member(item, "resource"); !resource.empty())
        rule.resource = resource;
      rule.ns = string_member(item, "namespace");
      rule.name = string_member(item, "name");
      rule.count = int_member(item, "count", 0);
      rule.status = int_member(item, "status", 500);
      rule.ms = int_member(item, "ms", 0);
      rule.message = string_member(item, "message");
      parsed.push_back(rule);
    }
    out = std::move(parsed);
    return std::nullopt;
  };
  auto pod_rules = [&](const char* key, std::vector<PodRule>& out) -> std::optional<std::string> {
    const auto* list = member(*doc, key);
    if (!list)
      return std::nullopt;
    if (!list->IsArray())
      return std::string(key) + " must be an array";
    std::vector<PodRule> parsed;
    for (const auto& item : list->GetArray()) {
      PodRule rule;
      if (item.IsString()) {
        rule.pod = item.GetString();
      } else if (item.IsObject()) {
        rule.pod = string_member(item, "pod");
        rule.exit_code = int_member(item, "exit_code", 1);
        rule.stderr_text = string_member(item, "stderr");
        rule.after_bytes = int_member(item, "after_bytes", 0);
      }
      if (rule.pod.empty())
        return std::string(key) + " entries need a pod (\"ns/name\")";
      parsed.push_back(rule);
    }
    out = std::move(parsed);
    return std::nullopt;
  };

  std::vector<Stuck> stuck;
  StuckRolloutHandler handler;
  {
    std::lock_guard lock(mu_);
    // Validate into copies first so a bad document changes nothing.
    auto api_errors = api_errors_, drops = drops_, slow = slow_;
    auto exec_errors = exec_errors_, exec_hang = exec_hang_, exec_cut = exec_cut_;
    for (auto error : {rules("api_errors", api_errors), rules("drops", drops), rules("slow", slow),
                       pod_rules("exec_errors", exec_errors), pod_rules("exec_hang", exec_hang),
                       pod_rules("exec_cut", exec_cut)})
      if (error)
        return error;
    if (const auto* list = member(*doc, "stuck_rollouts")) {
      if (!list->IsArray())
        return std::string("stuck_rollouts must be an array");
      for (const auto& item : list->GetArray()) {
        Stuck entry{string_member(item, "namespace"), string_member(item, "name"), true};
        if (const auto* flag = member(item, "stuck"); flag && flag->IsBool())
          entry.stuck = flag->GetBool();
        if (entry.name.empty())
          return std::string("stuck_rollouts entries need a name");
        stuck.push_back(entry);
      }
    }
    if (!stuck.empty() && !stuck_handler_)
      return std::string("stuck_rollouts needs the mesh controllers (run with --scenario)");
    exec_latency_ms_ = int_member(*doc, "exec_latency_ms", exec_latency_ms_);
    api_errors_ = std::move(api_errors);
    drops_ = std::move(drops);
    slow_ = std::move(slow);
    exec_errors_ = std::move(exec_errors);
    exec_hang_ = std::move(exec_hang);
    exec_cut_ = std::move(exec_cut);
    for (const auto& entry : stuck)
      stuck_.push_back(entry);
    handler = stuck_handler_;
  }
  for (const auto& entry : stuck)
    handler(entry.ns, entry.name, entry.stuck);
  return std::nullopt;
}

void Faults::clear() {
  std::vector<Stuck> stuck;
  StuckRolloutHandler handler;
  {
    std::lock_guard lock(mu_);
    exec_latency_ms_ = 0;
    exec_errors_.clear();
    exec_hang_.clear();
    exec_cut_.clear();
    api_errors_.clear();
    drops_.clear();
    slow_.clear();
    stuck.swap(stuck_);
    handler = stuck_handler_;
  }
  if (handler)
    for (const auto& entry : stuck)
      handler(entry.ns, entry.name, false);
}

std::string Faults::to_json() const {
  std::lock_guard lock(mu_);
  auto rule_list = [](const std::vector<Rule>& rules) {
    std::string json = "[";
    for (const auto& r : rules)
      json += (json.size() > 1 ? "," : "") + std::string("{\"verb\":") + quote(r.verb) +
              ",\"resource\":" + quote(r.resource) + ",\"namespace\":" + quote(r.ns) +
              ",\"name\":" + quote(r.name) + ",\"count\":" + std::to_string(r.count) +
              ",\"used\":" + std::to_string(r.used) + ",\"status\":" + std::to_string(r.status) +
              ",\"ms\":" + std::to_string(r.ms) + ",\"message\":" + quote(r.message) + "}";
    return json + "]";
  };
  auto pod_list = [](const std::vector<PodRule>& rules) {
    std::string json = "[";
    for (const auto& r : rules)
      json += (json.size() > 1 ? "," : "") + std::string("{\"pod\":") + quote(r.pod) +
              ",\"exit_code\":" + std::to_string(r.exit_code) +
              ",\"stderr\":" + quote(r.stderr_text) +
              ",\"after_bytes\":" + std::to_string(r.after_bytes) + "}";
    return json + "]";
  };
  std::string stuck = "[";
  for (const auto& s : stuck_)
    stuck += (stuck.size() > 1 ? "," : "") + std::string("{\"namespace\":") + quote(s.ns) +
             ",\"name\":" + quote(s.name) + ",\"stuck\":" + (s.stuck ? "true" : "false") + "}";
  return "{\"exec_latency_ms\":" + std::to_string(exec_latency_ms_) +
         ",\"exec_errors\":" + pod_list(exec_errors_) + ",\"exec_hang\":" + pod_list(exec_hang_) +
         ",\"exec_cut\":" + pod_list(exec_cut_) + ",\"api_errors\":" + rule_list(api_errors_) +
         ",\"drops\":" + rule_list(drops_) + ",\"slow\":" + rule_list(slow_) +
         ",\"stuck_rollouts\":" + stuck + "]}";
}

void Faults::set_stuck_rollout_handler(StuckRolloutHandler handler) {
  std::lock_guard lock(mu_);
  stuck_handler_ = std::move(handler);
}

std::optional<Faults::Rule*> Faults::consume(std::vector<Rule>& rules, const RequestKey& key) {
  for (auto& rule : rules) {
    if (!rule.matches(key) || (rule.count > 0 && rule.used >= rule.count))
      continue;
    ++rule.used;
    return &rule;
  }
  return std::nullopt;
}

std::optional<ApiFault> Faults::take_api_error(const RequestKey& key) {
  std::lock_guard lock(mu_);
  auto rule = consume(api_errors_, key);
  if (!rule)
    return std::nullopt;
  return ApiFault{(*rule)->status, (*rule)->message};
}

bool Faults::take_drop(const RequestKey& key) {
  std::lock_guard lock(mu_);
  return consume(drops_, key).has_value();
}

int Faults::slow_ms(const RequestKey& key) const {
  std::lock_guard lock(mu_);
  for (const auto& rule : slow_)
    if (rule.matches(key))
      return rule.ms;
  return 0;
}

int Faults::exec_latency_ms() const {
  std::lock_guard lock(mu_);
  return exec_latency_ms_;
}

std::optional<ExecFault> Faults::exec_error(const std::string& ns, const std::string& pod) const {
  std::lock_guard lock(mu_);
  for (const auto& rule : exec_errors_)
    if (rule.matches(ns, pod))
      return ExecFault{rule.exit_code, rule.stderr_text};
  return std::nullopt;
}

std::optional<std::size_t> Faults::exec_cut_after(const std::string& ns,
                                                  const std::string& pod) const {
  std::lock_guard lock(mu_);
  for (const auto& rule : exec_cut_)
    if (rule.matches(ns, pod))
      return static_cast<std::size_t>(std::max(rule.after_bytes, 0));
  return std::nullopt;
}

bool Faults::exec_hangs(const std::string& ns, const std::string& pod) const {
  std::lock_guard lock(mu_);
  for (const auto& rule : exec_hang_)
    if (rule.matches(ns, pod))
      return true;
  return false;
}

} // namespace sim
