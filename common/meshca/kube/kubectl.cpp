#include "meshca/kube/kubectl.h"

#include "meshca/kube/read_memo.h"
#include "meshca/kube/retry.h"
#include "meshca/util/interrupt.h"
#include "meshca/util/json.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <iostream>
#include <mutex>

namespace meshca {

namespace {

// One echo line at a time, whichever Kubectl object or thread prints it.
std::mutex echo_mutex;

constexpr std::array kSecretFlags = {std::string_view("--token"), std::string_view("--password"),
                                     std::string_view("--from-literal"),
                                     std::string_view("--from-env-file")};
constexpr std::string_view kRedacted = "<redacted>";

bool is_secret_flag(std::string_view arg) {
  return std::find(kSecretFlags.begin(), kSecretFlags.end(), arg) != kSecretFlags.end();
}

// "--token=abc" -> the flag part, when it is a secret flag.
std::optional<std::string_view> joined_secret_flag(std::string_view arg) {
  const std::size_t equals = arg.find('=');
  if (equals == std::string_view::npos || !is_secret_flag(arg.substr(0, equals)))
    return std::nullopt;
  return arg.substr(0, equals);
}

bool holds_key_material(std::string_view arg) {
  return arg.find("-----BEGIN") != std::string_view::npos ||
         arg.find("PRIVATE KEY") != std::string_view::npos;
}

std::string trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos)
    return {};
  const std::size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

std::optional<std::string> getenv_string(const char* name) {
  const char* value = std::getenv(name); // NOLINT(concurrency-mt-unsafe): read-only use
  if (value == nullptr || *value == '\0')
    return std::nullopt;
  return std::string(value);
}

// Calls whose process the first Ctrl-C may kill: they only read or wait, so nothing is left
// half-done. Writes (patch, delete, create, apply...) are left to finish.
bool only_reads(const std::vector<std::string>& args) {
  if (args.empty())
    return false;
  const std::string& verb = args.front();
  if (verb == "get" || verb == "exec" || verb == "wait" || verb == "version" ||
      verb == "api-resources" || verb == "auth" || verb == "logs")
    return true;
  return verb == "rollout" && args.size() > 1 && (args[1] == "status" || args[1] == "history");
}

// Calls that cannot change the cluster: the reads above, a proxy, the kubeconfig's own view.
bool leaves_cluster_unchanged(const std::vector<std::string>& args) {
  return only_reads(args) ||
         (!args.empty() && (args.front() == "proxy" || args.front() == "config"));
}

std::string format_duration(std::chrono::milliseconds timeout) {
  if (timeout.count() % 1000 == 0)
    return std::to_string(timeout.count() / 1000) + "s";
  return std::to_string(timeout.count()) + "ms";
}

} // namespace

KubectlRunner::~KubectlRunner() = default;

Kubectl::Kubectl(std::string path, ConnectionFlags flags, Verbose verbose, std::ostream& echo)
    : path_(std::move(path)), flags_(std::move(flags)), verbose_(verbose), echo_(&echo) {}

Kubectl::Kubectl(std::string path, ConnectionFlags flags, Verbose verbose)
    : Kubectl(std::move(path), std::move(flags), verbose, std::cerr) {}

std::vector<std::string> Kubectl::command_line(const std::vector<std::string>& args) const {
  std::vector<std::string> full = flags_.to_args();
  full.insert(full.end(), args.begin(), args.end());
  return full;
}

Kubectl Kubectl::with_context(std::string context) const {
  Kubectl copy = *this;
  copy.flags_.context = std::move(context);
  return copy;
}

Kubectl Kubectl::after_interrupt() const {
  Kubectl copy = *this;
  copy.runs_after_interrupt_ = true;
  return copy;
}

Result<ProcessOutput> Kubectl::run(const std::vector<std::string>& args,
                                   std::optional<std::string> input,
                                   std::chrono::milliseconds timeout) {
  if (interrupt_flag().load() && !runs_after_interrupt_)
    return cluster_error("interrupted (Ctrl-C) before kubectl " + display_args(args) + " started");
  ProcessSpec spec;
  spec.program = path_;
  spec.args = command_line(args);
  spec.input = std::move(input);
  spec.timeout = timeout;
  spec.on_interrupt = only_reads(args) ? OnInterrupt::stop : OnInterrupt::finish;
  const auto start = [this, &spec]() {
    if (verbose_ == Verbose::yes) {
      const std::string line = format_echo(spec.args, spec.input) + "\n";
      const std::lock_guard lock(echo_mutex);
      *echo_ << line << std::flush;
    }
    return run_process(spec);
  };
  ReadMemo& memo = run_read_memo();
  if (!leaves_cluster_unchanged(args))
    memo.stop(); // before the change starts: no read from before it answers a call after it
  else if (!spec.input && memo_keeps(args))
    return memo.serve(spec.args, start);
  return start();
}

std::string display_quote(std::string_view arg) {
  static constexpr std::string_view kSafe =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
  if (!arg.empty() && arg.find_first_not_of(kSafe) == std::string_view::npos)
    return std::string(arg);
  std::string quoted = "'";
  for (const char c : arg) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  quoted += '\'';
  return quoted;
}

std::vector<std::string> redact_args(const std::vector<std::string>& args) {
  std::vector<std::string> shown;
  shown.reserve(args.size());
  bool value_is_secret = false;
  for (const auto& arg : args) {
    if (value_is_secret || holds_key_material(arg)) {
      shown.emplace_back(kRedacted);
    } else if (auto flag = joined_secret_flag(arg)) {
      shown.push_back(std::string(*flag) + "=" + std::string(kRedacted));
    } else {
      shown.push_back(arg);
    }
    value_is_secret = !value_is_secret && is_secret_flag(arg);
  }
  return shown;
}

std::string display_args(const std::vector<std::string>& args) {
  const std::vector<std::string> shown = redact_args(args);
  std::string line;
  for (std::size_t i = 0; i < shown.size(); ++i) {
    if (i > 0)
      line += ' ';
    // A redacted argument is shown as it is: quoting "<redacted>" would suggest a literal.
    line += shown[i] == args[i] ? display_quote(shown[i]) : shown[i];
  }
  return line;
}

std::string format_echo(const std::vector<std::string>& args,
                        const std::optional<std::string>& input) {
  std::string line = "+ kubectl";
  if (!args.empty())
    line += " " + display_args(args);
  if (input)
    line += " <stdin: " + std::to_string(input->size()) + " bytes>";
  return line;
}

Result<std::string> locate_kubectl(std::optional<std::string> flag_value,
                                   std::optional<std::string> env_kubectl,
                                   std::string_view path_list) {
  auto locate_given = [&](const std::string& value, const char* source) -> Result<std::string> {
    if (auto found = find_in_path(value, path_list))
      return *found;
    const char* problem =
        value.find('/') == std::string::npos ? "not found on PATH" : "not an executable file";
    return cluster_error(std::string(source) + " \"" + value + "\": " + problem +
                         "; pass the path of a kubectl executable");
  };
  if (flag_value && !flag_value->empty())
    return locate_given(*flag_value, "--kubectl");
  if (env_kubectl && !env_kubectl->empty())
    return locate_given(*env_kubectl, "$KUBECTL");
  if (auto found = find_in_path("kubectl", path_list))
    return *found;
  return cluster_error("kubectl not found on PATH; install kubectl or pass --kubectl PATH");
}

Result<std::string> locate_kubectl(std::optional<std::string> flag_value) {
  const auto path = getenv_string("PATH");
  return locate_kubectl(std::move(flag_value), getenv_string("KUBECTL"),
                        path ? std::string_view(*path) : "/usr/local/bin:/usr/bin:/bin");
}

std::string trim_kubectl_stderr(std::string_view err) {
  constexpr std::size_t kMaxLength = 500;
  std::string joined;
  std::string_view rest = err;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string line = trim(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.empty() || line.starts_with("Warning:") || line.starts_with("W0") ||
        line.starts_with("I0"))
      continue; // deprecation warnings and klog lines say nothing about the failure
    if (line.starts_with("error: "))
      line.erase(0, 7);
    if (!joined.empty())
      joined += "; ";
    joined += line;
  }
  if (joined.empty())
    joined = trim(err);
  if (joined.size() > kMaxLength)
    joined = joined.substr(0, kMaxLength - 3) + "...";
  return joined;
}

Error kubectl_failure(const ProcessOutput& output, const std::vector<std::string>& args,
                      std::string_view what, std::string_view note) {
  std::string reason;
  if (output.timed_out)
    reason = "kubectl did not finish in time and was stopped";
  else if (output.term_signal != 0 && interrupt_flag().load())
    reason = "interrupted (Ctrl-C) while kubectl ran";
  else if (output.term_signal != 0)
    reason = "kubectl was killed by signal " + std::to_string(output.term_signal);
  else
    reason = trim_kubectl_stderr(output.err);
  if (reason.empty())
    reason = "kubectl failed with exit code " + std::to_string(output.exit_code);
  // A transport that made its own attempts (kube/proxied_reads.h) says so as the retries would.
  return cluster_error(std::string(what) + ": " + reason + " (kubectl " + display_args(args) + ")" +
                       std::string(note.empty() ? std::string_view(output.attempts_note) : note));
}

Result<ProcessOutput> run_with_retries(KubectlRunner& kubectl, const std::vector<std::string>& args,
                                       std::optional<std::string> input,
                                       std::chrono::milliseconds timeout,
                                       std::string* attempts_note) {
  return run_with_retries(kubectl, args, default_read_retry_policy(), std::move(input), timeout,
                          attempts_note);
}

Result<ProcessOutput> run_with_retries(KubectlRunner& kubectl, const std::vector<std::string>& args,
                                       const RetryPolicy& policy, std::optional<std::string> input,
                                       std::chrono::milliseconds timeout,
                                       std::string* attempts_note) {
  // A read that failed for a passing reason (5xx, 429, timeout, connection) is made again, per
  // the one retry policy; anything else is made once.
  const bool retryable_call = is_retryable_kubectl_call(args);
  RetryBudget budget(policy);
  while (true) {
    auto output = kubectl.run(args, input, timeout);
    if (!output)
      return output.error();
    const auto delay =
        output->succeeded()
            ? std::nullopt
            : budget.next_delay(retryable_call && is_retryable_kubectl_failure(*output),
                                &interrupt_flag());
    if (!delay) {
      if (attempts_note != nullptr)
        *attempts_note = budget.attempts_note();
      return output;
    }
    sleep_unless_cancelled(*delay, &interrupt_flag());
  }
}

Result<ProcessOutput> run_checked(KubectlRunner& kubectl, const std::vector<std::string>& args,
                                  std::string_view what, std::optional<std::string> input,
                                  std::chrono::milliseconds timeout) {
  std::string attempts;
  auto output = run_with_retries(kubectl, args, std::move(input), timeout, &attempts);
  if (!output)
    return output.error();
  if (!output->succeeded()) {
    Error error = kubectl_failure(*output, args, what);
    if (output->timed_out && timeout.count() > 0)
      error.message += "; timed out after " + format_duration(timeout);
    error.message += attempts;
    return error;
  }
  return output;
}

Result<rapidjson::Document> get_json(KubectlRunner& kubectl, const std::vector<std::string>& args,
                                     std::string_view what, std::chrono::milliseconds timeout) {
  MESHCA_TRY_ASSIGN(auto output, run_checked(kubectl, args, what, std::nullopt, timeout));
  auto document = json::parse(output.out, what);
  if (!document)
    return cluster_error(document.error().message + " (kubectl " + display_args(args) + ")");
  return document;
}

bool is_not_found(const ProcessOutput& output) {
  if (output.exit_code == 0 || output.timed_out)
    return false;
  return output.err.find("(NotFound)") != std::string::npos ||
         output.err.find("\" not found") != std::string::npos;
}

} // namespace meshca
