#include "meshca/kube/connection_flags.h"

#include <cstdlib>

namespace meshca {

std::vector<std::string> ConnectionFlags::to_args() const {
  std::vector<std::string> args;
  auto add = [&args](const char* flag, const std::optional<std::string>& value) {
    if (!value)
      return;
    args.emplace_back(flag);
    args.push_back(*value);
  };
  add("--kubeconfig", kubeconfig);
  add("--context", context);
  add("--cluster", cluster);
  add("--user", user);
  add("--request-timeout", request_timeout);
  return args;
}

} // namespace meshca

namespace meshca {

std::optional<double> parse_request_timeout(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  struct Unit {
    std::string_view name;
    double ms;
  };
  static constexpr Unit kUnits[] = {{"ns", 1e-6},  {"us", 1e-3}, {"ms", 1.0},
                                    {"h", 3600e3}, {"m", 60e3},  {"s", 1e3}};
  const bool bare = text.find_first_not_of("0123456789") == std::string_view::npos; // seconds
  double total = 0;
  while (!text.empty()) {
    const std::size_t digits = text.find_first_not_of("0123456789.");
    if (digits == 0)
      return std::nullopt;
    const std::string number(text.substr(0, digits));
    char* end = nullptr;
    const double value = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size())
      return std::nullopt;
    if (digits == std::string_view::npos) {
      if (!bare)
        return std::nullopt;
      total += value * 1e3;
      break;
    }
    text.remove_prefix(digits);
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits)
      if (text.starts_with(candidate.name)) {
        unit = &candidate;
        break;
      }
    if (unit == nullptr)
      return std::nullopt;
    total += value * unit->ms;
    text.remove_prefix(unit->name.size());
  }
  // Past Go's longest duration (2^63 ns, about 292 years) kubectl refuses the value; so does this,
  // which also keeps the conversion to milliseconds defined.
  if (total > 9.2e12)
    return std::nullopt;
  return total;
}

std::optional<std::chrono::milliseconds> request_timeout_duration(std::string_view text) {
  const std::optional<double> total = parse_request_timeout(text);
  if (!total || *total < 1)
    return std::nullopt; // "0", "0s": no timeout (kubectl's meaning); below 1 ms: none either
  return std::chrono::milliseconds(static_cast<long long>(*total));
}

std::chrono::milliseconds list_request_timeout(const ConnectionFlags& flags,
                                               std::chrono::milliseconds otherwise) {
  if (!flags.request_timeout || !parse_request_timeout(*flags.request_timeout))
    return otherwise;
  return request_timeout_duration(*flags.request_timeout).value_or(kNoRequestTimeout);
}

} // namespace meshca
