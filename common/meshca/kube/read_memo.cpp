#include "meshca/kube/read_memo.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace meshca {

void ReadMemo::enable() {
  const std::lock_guard lock(mutex_);
  on_ = !stopped_;
}

void ReadMemo::stop() {
  const std::lock_guard lock(mutex_);
  on_ = false;
  stopped_ = true;
  answers_.clear();
}

std::optional<ProcessOutput> ReadMemo::find(const std::vector<std::string>& command_line) const {
  const std::lock_guard lock(mutex_);
  if (!on_)
    return std::nullopt;
  auto it = answers_.find(command_line);
  if (it == answers_.end())
    return std::nullopt;
  return it->second;
}

void ReadMemo::remember(const std::vector<std::string>& command_line, const ProcessOutput& output) {
  const std::lock_guard lock(mutex_);
  // A read that started before the run's first change may end after it: stop() has turned the
  // memo off by then, and its answer is dropped here.
  if (on_ && output.succeeded())
    answers_.emplace(command_line, output);
}

bool memo_keeps(const std::vector<std::string>& args) {
  static constexpr std::array kLists = {
      std::string_view("deployments"), std::string_view("mutatingwebhookconfigurations"),
      std::string_view("namespaces"), std::string_view("istiooperators.install.istio.io"),
      std::string_view("configmaps")};
  if (args.size() < 4 || args[0] != "get" ||
      std::find(kLists.begin(), kLists.end(), args[1]) == kLists.end())
    return false;
  bool json = false;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-w" || arg == "--watch" || arg == "--watch-only" || arg.starts_with("--watch="))
      return false;
    json = json || (arg == "json" && args[i - 1] == "-o");
  }
  return json;
}

ReadMemo& run_read_memo() {
  static ReadMemo memo;
  return memo;
}

} // namespace meshca
