#include "meshca/kube/read_memo.h"

#include "meshca/kube/kubectl_calls.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace meshca {

void ReadMemo::enable() {
  const std::lock_guard lock(mutex_);
  on_ = !stopped_;
}

void ReadMemo::stop() {
  {
    const std::lock_guard lock(mutex_);
    on_ = false;
    stopped_ = true;
    answers_.clear();
  }
  settled_.notify_all(); // a call waiting for a read under way now reads for itself
}

Result<ProcessOutput> ReadMemo::serve(const std::vector<std::string>& command_line,
                                      const std::function<Result<ProcessOutput>()>& read) {
  {
    std::unique_lock lock(mutex_);
    while (on_ && !answers_.contains(command_line) && under_way_.contains(command_line))
      settled_.wait(lock);
    if (!on_) {
      lock.unlock();
      return read();
    }
    if (auto it = answers_.find(command_line); it != answers_.end())
      return it->second;
    under_way_.insert(command_line);
  }
  auto result = read();
  {
    const std::lock_guard lock(mutex_);
    under_way_.erase(command_line);
    // A read that started before the run's first change may end after it: stop() has turned
    // the memo off by then, and its answer is dropped here.
    if (on_ && result && result->succeeded())
      answers_.emplace(command_line, *result);
  }
  settled_.notify_all();
  return result;
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
  // The CA secrets' names and roots, printed without their keys: status and the gates' checks
  // read them for the names and again for the roots.
  if (args == ca_secret_roots_args())
    return true;
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
