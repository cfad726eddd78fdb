#pragma once
// The one place that knows kubectl's command line: finding kubectl, prepending the connection
// flags, echoing calls (-v), and turning kubectl failures into messages.

#include "meshca/kube/connection_flags.h"
#include "meshca/util/process.h"
#include "meshca/util/result.h"

#include <chrono>
#include <iosfwd>
#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// Runs kubectl. `args` exclude the connection flags (the runner adds them). Data that must not be
// seen (Secret contents, manifests) goes in `input`, which is fed to stdin, never in `args`
// (arguments are visible to every user in /proc and in -v output). A timeout of 0 means none.
// Implementations are safe to call from many threads at once.
class KubectlRunner {
 public:
  virtual ~KubectlRunner();
  virtual Result<ProcessOutput> run(const std::vector<std::string>& args,
                                    std::optional<std::string> input = {},
                                    std::chrono::milliseconds timeout = {}) = 0;

 protected:
  KubectlRunner() = default;
  KubectlRunner(const KubectlRunner&) = default;
  KubectlRunner& operator=(const KubectlRunner&) = default;
};

enum class Verbose { no, yes };

// The real kubectl.
class Kubectl final : public KubectlRunner {
 public:
  // `path` is the kubectl executable (see locate_kubectl). With Verbose::yes every call is
  // printed to `echo` before it runs, as `+ kubectl --context east get pods -A -o json`.
  Kubectl(std::string path, ConnectionFlags flags, Verbose verbose, std::ostream& echo);
  Kubectl(std::string path, ConnectionFlags flags, Verbose verbose = Verbose::no);

  Result<ProcessOutput> run(const std::vector<std::string>& args,
                            std::optional<std::string> input = {},
                            std::chrono::milliseconds timeout = {}) override;

  // The arguments kubectl is started with: the connection flags, then `args`.
  std::vector<std::string> command_line(const std::vector<std::string>& args) const;

  // The same kubectl for another context (multi-cluster commands).
  Kubectl with_context(std::string context) const;

  // The same kubectl, also started after Ctrl-C: for the one write that undoes a claim the
  // interrupted run made (migrate's lease), which would otherwise block the next run.
  Kubectl after_interrupt() const;

  const std::string& path() const { return path_; }
  const ConnectionFlags& flags() const { return flags_; }

 private:
  std::string path_;
  ConnectionFlags flags_;
  Verbose verbose_;
  std::ostream* echo_;
  bool runs_after_interrupt_ = false;
};

// The -v line for a call: "+ kubectl ARGS", each argument display-quoted like a shell would
// need it, secrets redacted (see redact_args), and stdin shown as "<stdin: N bytes>".
std::string format_echo(const std::vector<std::string>& args,
                        const std::optional<std::string>& input);

// `arg` as it would be typed in a POSIX shell: bare when safe, else in single quotes.
// Display only: nothing is ever run through a shell.
std::string display_quote(std::string_view arg);

// "get pods -A" from {"get", "pods", "-A"}, display-quoted and redacted.
std::string display_args(const std::vector<std::string>& args);

// A copy of `args` with secret values replaced by "<redacted>": the value of --token,
// --password, --from-literal and --from-env-file (as separate or "=" joined arguments), and any
// argument holding a PEM block or a private key.
std::vector<std::string> redact_args(const std::vector<std::string>& args);

// The kubectl executable: `flag_value` (--kubectl), else $KUBECTL, else "kubectl" on $PATH.
// A value without '/' is looked up on $PATH. Error (cluster_error):
// "kubectl not found on PATH; install kubectl or pass --kubectl PATH", or, for a given value,
// `--kubectl "/x": not an executable file`.
Result<std::string> locate_kubectl(std::optional<std::string> flag_value);

// locate_kubectl with the environment given explicitly (for tests).
Result<std::string> locate_kubectl(std::optional<std::string> flag_value,
                                   std::optional<std::string> env_kubectl,
                                   std::string_view path_list);

// kubectl's stderr made fit for an error message: warnings dropped, a leading "error: "
// dropped, lines joined with "; ", at most about 500 characters.
std::string trim_kubectl_stderr(std::string_view err);

// The error for a kubectl call that ran and failed (non-zero exit, signal, or timeout):
// `<what>: <kubectl's stderr> (kubectl <args>)`, cluster_error.
// `note` (e.g. the attempts of run_with_retries) is appended.
Error kubectl_failure(const ProcessOutput& output, const std::vector<std::string>& args,
                      std::string_view what, std::string_view note = {});

// Runs a call; a read (`get`) that fails for a passing reason (5xx, 429, timeout, connection;
// see kube/retry.h) is repeated with backoff. Returns the last attempt's output, failed or not
// (callers look at NotFound themselves); `attempts_note` gets " (N attempts over Ts)" when more
// than one was made. Other calls are made once. Stops retrying on Ctrl-C.
Result<ProcessOutput> run_with_retries(KubectlRunner& kubectl, const std::vector<std::string>& args,
                                       std::optional<std::string> input = {},
                                       std::chrono::milliseconds timeout = {},
                                       std::string* attempts_note = nullptr);

struct RetryPolicy;
// The same with an explicit policy (tests: zero delays).
Result<ProcessOutput> run_with_retries(KubectlRunner& kubectl, const std::vector<std::string>& args,
                                       const RetryPolicy& policy,
                                       std::optional<std::string> input = {},
                                       std::chrono::milliseconds timeout = {},
                                       std::string* attempts_note = nullptr);

// Runs a call that must succeed (reads retried as run_with_retries does): a non-zero exit becomes
// kubectl_failure(..., what), with the attempts noted.
Result<ProcessOutput> run_checked(KubectlRunner& kubectl, const std::vector<std::string>& args,
                                  std::string_view what, std::optional<std::string> input = {},
                                  std::chrono::milliseconds timeout = {});

// Runs a call that prints JSON (the caller passes "-o", "json") and parses it. `what` names the
// object for messages ("pods in namespace foo"). Errors are cluster_error.
Result<rapidjson::Document> get_json(KubectlRunner& kubectl, const std::vector<std::string>& args,
                                     std::string_view what, std::chrono::milliseconds timeout = {});

// True when a failed call failed because the object does not exist (kubectl's
// "Error from server (NotFound): ... not found").
bool is_not_found(const ProcessOutput& output);

} // namespace meshca
