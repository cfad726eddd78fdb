#pragma once
// Prometheus's text exposition format (version 0.0.4), as Envoy's admin `stats/prometheus` and
// pilot-agent's merged metrics endpoint write it: `# HELP`/`# TYPE` comments, then one sample per
// line, `name{label="value",...} value [timestamp]`.

#include "meshca/util/result.h"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshca::prometheus {

struct Sample {
  std::string_view name;
  std::vector<std::pair<std::string_view, std::string>> labels; // values unescaped
  double value = 0;

  // The label's value, "" when the sample has no such label.
  std::string_view label(std::string_view key) const;
};

// Calls `on_sample` for every sample of `text`, in order. Blank lines and comments are skipped.
// A line that is not a sample is counted in the result and skipped, so one odd line (a proxy's
// custom metric) costs one sample, not the pod; the caller decides what many mean.
std::size_t for_each_sample(std::string_view text,
                            const std::function<void(const Sample&)>& on_sample);

} // namespace meshca::prometheus
