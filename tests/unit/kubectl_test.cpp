#include "../support/recording_kubectl.h"
#include "meshca/kube/kubectl.h"
#include "meshca/util/worker_pool.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdlib.h>
#include <sys/stat.h>

namespace meshca {

namespace {

using testing::RecordingKubectl;

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "meshca-kubectl-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name, mode_t mode) const {
    const auto file_path = path / name;
    std::ofstream(file_path) << "#!/bin/sh\nexit 0\n";
    ::chmod(file_path.c_str(), mode);
    return file_path.string();
  }
};

ConnectionFlags all_flags() {
  ConnectionFlags flags;
  flags.kubeconfig = "/home/me/.kube/config";
  flags.context = "east";
  flags.cluster = "gke_proj_zone_east";
  flags.user = "admin";
  flags.request_timeout = "30s";
  return flags;
}

} // namespace

TEST_CASE("connection flags become separate kubectl arguments") {
  CHECK(ConnectionFlags{}.to_args().empty());
  CHECK(all_flags().to_args() == std::vector<std::string>{"--kubeconfig", "/home/me/.kube/config",
                                                          "--context", "east", "--cluster",
                                                          "gke_proj_zone_east", "--user", "admin",
                                                          "--request-timeout", "30s"});
  ConnectionFlags odd;
  odd.context = "-weird=name";
  CHECK(odd.to_args() == std::vector<std::string>{"--context", "-weird=name"});
}

TEST_CASE("Kubectl puts the connection flags before the command") {
  const Kubectl kubectl("/usr/bin/kubectl", all_flags());
  const auto line = kubectl.command_line({"get", "pods", "-A", "-o", "json"});
  REQUIRE(line.size() == 15);
  CHECK(line[0] == "--kubeconfig");
  CHECK(line[9] == "30s");
  CHECK(std::vector<std::string>(line.begin() + 10, line.end()) ==
        std::vector<std::string>{"get", "pods", "-A", "-o", "json"});
  const Kubectl west = kubectl.with_context("west");
  CHECK(west.flags().context == std::optional<std::string>("west"));
  CHECK(kubectl.flags().context == std::optional<std::string>("east"));
  CHECK(west.path() == "/usr/bin/kubectl");
}

TEST_CASE("Kubectl runs the program with the full argument vector and echoes with -v") {
  std::ostringstream echo;
  ConnectionFlags flags;
  flags.context = "my ctx";
  Kubectl kubectl("/bin/echo", flags, Verbose::yes, echo);
  auto out = kubectl.run({"get", "pods", "$(reboot)"});
  REQUIRE(out.ok());
  CHECK(out->out == "--context my ctx get pods $(reboot)\n");
  CHECK(echo.str() == "+ kubectl --context 'my ctx' get pods '$(reboot)'\n");

  Kubectl quiet("/bin/echo", flags, Verbose::no, echo);
  REQUIRE(quiet.run({"version"}).ok());
  CHECK(echo.str() == "+ kubectl --context 'my ctx' get pods '$(reboot)'\n"); // nothing added
}

TEST_CASE("input goes to stdin and is never echoed") {
  std::ostringstream echo;
  Kubectl kubectl("/bin/cat", {}, Verbose::yes, echo);
  const std::string secret = "apiVersion: v1\nkind: Secret\ndata:\n  key: c2VjcmV0\n";
  auto out = kubectl.run({}, secret);
  REQUIRE(out.ok());
  CHECK(out->out == secret);
  CHECK(echo.str() == "+ kubectl <stdin: " + std::to_string(secret.size()) + " bytes>\n");
}

TEST_CASE("echo lines quote for display and redact secrets") {
  CHECK(format_echo({"get", "pods", "-A", "-o", "json"}, std::nullopt) ==
        "+ kubectl get pods -A -o json");
  CHECK(format_echo({"apply", "-f", "-"}, std::string(12, 'x')) ==
        "+ kubectl apply -f - <stdin: 12 bytes>");
  CHECK(format_echo({}, std::nullopt) == "+ kubectl");
  CHECK(display_quote("plain-arg_1.2/x:y=z,@%+") == "plain-arg_1.2/x:y=z,@%+");
  CHECK(display_quote("") == "''");
  CHECK(display_quote("a b") == "'a b'");
  CHECK(display_quote("it's") == "'it'\\''s'");
  CHECK(display_quote("a;b") == "'a;b'");
  CHECK(display_quote("*") == "'*'");
  CHECK(display_quote("{\"a\":1}") == "'{\"a\":1}'");
  CHECK(display_args({"label", "ns", "foo", "istio.io/rev=asm-1", "istio-injection-"}) ==
        "label ns foo istio.io/rev=asm-1 istio-injection-");

  CHECK(redact_args({"--token", "abc", "get", "pods"}) ==
        std::vector<std::string>{"--token", "<redacted>", "get", "pods"});
  CHECK(redact_args({"--token=abc", "--password", "pw"}) ==
        std::vector<std::string>{"--token=<redacted>", "--password", "<redacted>"});
  CHECK(redact_args({"create", "secret", "generic", "x", "--from-literal=key=value"}).back() ==
        "--from-literal=<redacted>");
  CHECK(redact_args({"--token", "--token"}) ==
        std::vector<std::string>{"--token", "<redacted>"}); // a value is never a flag name
  CHECK(redact_args({"-p", "{\"data\":\"-----BEGIN RSA PRIVATE KEY-----\"}"}) ==
        std::vector<std::string>{"-p", "<redacted>"});
  CHECK(format_echo({"--token", "s3cr3t", "get", "ns"}, std::nullopt) ==
        "+ kubectl --token <redacted> get ns");
  CHECK(format_echo({"--token=s3cr3t", "get", "ns"}, std::nullopt) ==
        "+ kubectl --token=<redacted> get ns");
}

TEST_CASE("echo from many threads gives whole lines") {
  std::ostringstream echo;
  Kubectl kubectl("/bin/true", {}, Verbose::yes, echo);
  parallel_for(16, 8, [&](std::size_t i) { (void)kubectl.run({"get", "pod", std::to_string(i)}); });
  std::istringstream lines(echo.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    CHECK(line.starts_with("+ kubectl get pod "));
    ++count;
  }
  CHECK(count == 16);
}

TEST_CASE("locate_kubectl: --kubectl, then $KUBECTL, then PATH") {
  const TempDir dir;
  const std::string exe = dir.file("kubectl", 0755);
  const std::string other = dir.file("kubectl-1.32", 0755);
  const std::string not_exe = dir.file("not-executable", 0644);
  const std::string path = "/nonexistent:" + dir.path.string();

  CHECK(*locate_kubectl(std::nullopt, std::nullopt, path) == exe);
  CHECK(*locate_kubectl(std::nullopt, other, path) == other);
  CHECK(*locate_kubectl(other, exe, path) == other);
  CHECK(*locate_kubectl(std::string("kubectl-1.32"), std::nullopt, path) == other);
  CHECK(*locate_kubectl(std::string(""), std::nullopt, path) == exe); // empty means unset
}

TEST_CASE("locate_kubectl errors say what to do and exit 3") {
  const TempDir dir;
  const std::string not_exe = dir.file("kubectl", 0644);

  auto missing = locate_kubectl(std::nullopt, std::nullopt, dir.path.string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().status == ExitStatus::cluster_error);
  CHECK(to_int(missing.error().status) == 3);
  CHECK(missing.error().message ==
        "kubectl not found on PATH; install kubectl or pass --kubectl PATH");

  auto bad_flag = locate_kubectl(not_exe, std::nullopt, "/usr/bin");
  REQUIRE_FALSE(bad_flag.ok());
  CHECK(bad_flag.error().message == "--kubectl \"" + not_exe +
                                        "\": not an executable file; pass the path of a kubectl "
                                        "executable");
  auto bad_env = locate_kubectl(std::nullopt, std::string("no-such-kubectl"), "/usr/bin");
  REQUIRE_FALSE(bad_env.ok());
  CHECK(bad_env.error().message ==
        "$KUBECTL \"no-such-kubectl\": not found on PATH; pass the path of a kubectl executable");
  CHECK_FALSE(locate_kubectl(dir.path.string(), std::nullopt, "/usr/bin").ok()); // a folder
}

TEST_CASE("kubectl's stderr is trimmed for messages") {
  CHECK(trim_kubectl_stderr("error: the server doesn't have a resource type \"foo\"\n") ==
        "the server doesn't have a resource type \"foo\"");
  CHECK(trim_kubectl_stderr("Warning: policy/v1beta1 is deprecated\n"
                            "Error from server (Forbidden): pods is forbidden\n") ==
        "Error from server (Forbidden): pods is forbidden");
  CHECK(trim_kubectl_stderr("line one\n\n  line two  \n") == "line one; line two");
  CHECK(trim_kubectl_stderr("Warning: only a warning\n") == "Warning: only a warning");
  CHECK(trim_kubectl_stderr(std::string(2000, 'x')).size() == 500);
  CHECK(trim_kubectl_stderr("") == "");
}

TEST_CASE("get_json parses output and maps failures to cluster errors") {
  RecordingKubectl kubectl;
  kubectl.on_success({"get", "pods"}, R"({"kind": "PodList", "items": []})");
  kubectl.on_failure({"get", "widgets"},
                     "error: the server doesn't have a resource type \"widgets\"\n");
  kubectl.on_success({"get", "garbage"}, "{not json");
  kubectl.on({"get", "broken"}, [](const testing::RecordedCall&) -> Result<ProcessOutput> {
    return cluster_error("cannot run \"/x/kubectl\": No such file or directory");
  });

  auto pods =
      get_json(kubectl, {"get", "pods", "-n", "foo", "-o", "json"}, "pods in namespace foo");
  REQUIRE(pods.ok());
  CHECK(std::string((*pods)["kind"].GetString()) == "PodList");

  auto widgets = get_json(kubectl, {"get", "widgets", "-o", "json"}, "widgets");
  REQUIRE_FALSE(widgets.ok());
  CHECK(widgets.error().status == ExitStatus::cluster_error);
  CHECK(widgets.error().message == "widgets: the server doesn't have a resource type \"widgets\" "
                                   "(kubectl get widgets -o json)");

  auto garbage = get_json(kubectl, {"get", "garbage", "-o", "json"}, "garbage");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().status == ExitStatus::cluster_error);
  CHECK(garbage.error().message.starts_with("garbage: invalid JSON at offset 1"));
  CHECK(garbage.error().message.ends_with("(kubectl get garbage -o json)"));

  auto broken = get_json(kubectl, {"get", "broken"}, "broken");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message == "cannot run \"/x/kubectl\": No such file or directory");
}

TEST_CASE("kubectl_failure describes timeouts, signals and silent failures") {
  ProcessOutput timed_out;
  timed_out.timed_out = true;
  timed_out.term_signal = 9;
  timed_out.exit_code = 137;
  CHECK(kubectl_failure(timed_out, {"get", "ns"}, "namespaces").message ==
        "namespaces: kubectl did not finish in time and was stopped (kubectl get ns)");
  ProcessOutput killed;
  killed.term_signal = 15;
  killed.exit_code = 143;
  CHECK(kubectl_failure(killed, {"get", "ns"}, "namespaces").message ==
        "namespaces: kubectl was killed by signal 15 (kubectl get ns)");
  ProcessOutput silent;
  silent.exit_code = 4;
  CHECK(kubectl_failure(silent, {"get", "ns"}, "namespaces").message ==
        "namespaces: kubectl failed with exit code 4 (kubectl get ns)");
  ProcessOutput secret;
  secret.exit_code = 1;
  secret.err = "error: bad token\n";
  CHECK(kubectl_failure(secret, {"--token", "abc", "get", "ns"}, "namespaces").message ==
        "namespaces: bad token (kubectl --token <redacted> get ns)");
}

TEST_CASE("run_checked passes input and timeout, and names the timeout") {
  RecordingKubectl kubectl;
  ProcessOutput slow;
  slow.timed_out = true;
  slow.term_signal = 9;
  slow.exit_code = 137;
  kubectl.on({"rollout", "status"}, slow);
  kubectl.on_success({"apply"}, "secret/cacerts created\n");

  auto applied = run_checked(kubectl, {"apply", "-f", "-"}, "secret cacerts", std::string("data"));
  REQUIRE(applied.ok());
  CHECK(applied->out == "secret/cacerts created\n");
  const auto calls = kubectl.calls_with({"apply"});
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].input == std::optional<std::string>("data"));

  auto waited = run_checked(kubectl, {"rollout", "status", "deploy/x"}, "deployment x",
                            std::nullopt, std::chrono::milliseconds(120'000));
  REQUIRE_FALSE(waited.ok());
  CHECK(waited.error().message == "deployment x: kubectl did not finish in time and was stopped "
                                  "(kubectl rollout status deploy/x); timed out after 120s");
  CHECK(kubectl.calls_with({"rollout"})[0].timeout == std::chrono::milliseconds(120'000));
}

TEST_CASE("is_not_found recognises kubectl's NotFound errors only") {
  ProcessOutput output;
  output.exit_code = 1;
  output.err = "Error from server (NotFound): secrets \"cacerts\" not found\n";
  CHECK(is_not_found(output));
  output.err = "Error from server (NotFound): the server could not find the requested resource\n";
  CHECK(is_not_found(output));
  output.err = "Error from server (Forbidden): secrets \"cacerts\" is forbidden\n";
  CHECK_FALSE(is_not_found(output));
  output.err = "Error from server (NotFound): secrets \"cacerts\" not found\n";
  output.exit_code = 0;
  CHECK_FALSE(is_not_found(output)); // a successful call never counts as not found
}

TEST_CASE("RecordingKubectl answers by the longest prefix and records every call") {
  RecordingKubectl kubectl;
  kubectl.on_success({"get"}, "generic");
  kubectl.on_success({"get", "ns"}, "namespaces");
  kubectl.on_success({"get", "ns", "foo"}, "foo");
  kubectl.on_success({"get"}, "generic, overridden");
  kubectl.on_not_found({"get", "secret"}, "secrets \"cacerts\"");

  CHECK(kubectl.run({"get", "ns", "foo", "-o", "json"})->out == "foo");
  CHECK(kubectl.run({"get", "ns"})->out == "namespaces");
  CHECK(kubectl.run({"get", "pods"})->out == "generic, overridden");
  CHECK(is_not_found(*kubectl.run({"get", "secret", "cacerts"})));
  auto unscripted = kubectl.run({"delete", "ns", "prod"}, std::string("in"));
  REQUIRE(unscripted.ok());
  CHECK(unscripted->exit_code == 1);
  CHECK(unscripted->err == "error: no scripted response for: kubectl delete ns prod\n");

  CHECK(kubectl.calls().size() == 5);
  CHECK(kubectl.count({"get"}) == 4);
  CHECK(kubectl.called({"delete", "ns"}));
  CHECK_FALSE(kubectl.called({"delete", "secret"}));
  CHECK(kubectl.calls().back().line() == "delete ns prod");
  CHECK(kubectl.calls().back().input == std::optional<std::string>("in"));
  kubectl.clear_calls();
  CHECK(kubectl.calls().empty());
}

TEST_CASE("RecordingKubectl is safe from many threads") {
  RecordingKubectl kubectl;
  kubectl.on_success({"get"}, "{}");
  parallel_for(200, 8, [&](std::size_t i) {
    (void)kubectl.run({"get", "pod", "p" + std::to_string(i)});
  });
  CHECK(kubectl.count({"get", "pod"}) == 200);
}

TEST_CASE("the real kubectl, when installed, reports its client version as JSON") {
  auto path = locate_kubectl(std::nullopt);
  if (!path.ok()) {
    MESSAGE("kubectl is not installed: skipped");
    return;
  }
  Kubectl kubectl(*path, {});
  auto version = get_json(kubectl, {"version", "--client", "-o", "json"}, "kubectl version",
                          std::chrono::milliseconds(30'000));
  REQUIRE_MESSAGE(version.ok(), (version.ok() ? "" : version.error().message));
  REQUIRE(version->HasMember("clientVersion"));
  const std::string git_version = (*version)["clientVersion"]["gitVersion"].GetString();
  CHECK(git_version.starts_with("v1."));
}

} // namespace meshca

TEST_CASE("--request-timeout as a duration: seconds, Go durations, and 0 for none") {
  using std::chrono::milliseconds;
  CHECK(meshca::request_timeout_duration("5") == milliseconds(5000));
  CHECK(meshca::request_timeout_duration("1s") == milliseconds(1000));
  CHECK(meshca::request_timeout_duration("1m30s") == milliseconds(90000));
  CHECK(meshca::request_timeout_duration("500ms") == milliseconds(500));
  CHECK(meshca::request_timeout_duration("1.5s") == milliseconds(1500));
  CHECK(meshca::request_timeout_duration("2h") == milliseconds(7200000));
  CHECK_FALSE(meshca::request_timeout_duration("0").has_value());
  CHECK_FALSE(meshca::request_timeout_duration("0s").has_value());
  CHECK_FALSE(meshca::request_timeout_duration("").has_value());
  CHECK_FALSE(meshca::request_timeout_duration("soon").has_value());
  CHECK_FALSE(meshca::request_timeout_duration("5x").has_value());
  CHECK_FALSE(meshca::request_timeout_duration("s5").has_value());
}

TEST_CASE("--request-timeout is parsed once, with kubectl's grammar") {
  // What the command line accepts (0 included: no timeout), and what it refuses as bad usage.
  CHECK(meshca::parse_request_timeout("0") == 0.0);
  CHECK(meshca::parse_request_timeout("0s") == 0.0);
  CHECK(meshca::parse_request_timeout("30") == 30000.0);
  CHECK(meshca::parse_request_timeout(".5s") == 500.0); // Go's durations take these two
  CHECK(meshca::parse_request_timeout("1.s") == 1000.0);
  CHECK(meshca::parse_request_timeout("1h2m3s4ms") == 3723004.0);
  CHECK(meshca::parse_request_timeout("250us") == 0.25);
  CHECK(meshca::parse_request_timeout("2000000h") == 7.2e12);
  for (const char* bad : {"", "1.5", ".", "s", "-1s", "1e3s", "1 s", "5x", "1m30", "ms", "3000000h",
                          "99999999999999"}) {
    CAPTURE(bad);
    CHECK_FALSE(meshca::parse_request_timeout(bad).has_value());
  }
  CHECK_FALSE(meshca::request_timeout_duration("250us").has_value()); // under 1 ms: none
}

TEST_CASE("a list through a proxy keeps the connection's --request-timeout, else the default") {
  using std::chrono::milliseconds;
  meshca::ConnectionFlags flags;
  CHECK(meshca::list_request_timeout(flags, milliseconds(60000)) == milliseconds(60000));
  flags.request_timeout = "5s";
  CHECK(meshca::list_request_timeout(flags, milliseconds(60000)) == milliseconds(5000));
  flags.request_timeout = "2m";
  CHECK(meshca::list_request_timeout(flags, milliseconds(60000)) == milliseconds(120000));
  // None: kubectl waits as long as the list takes, and so does a proxied list.
  for (const char* none : {"0", "0s", "0m0s"}) {
    flags.request_timeout = none;
    CHECK(meshca::list_request_timeout(flags, milliseconds(60000)) == meshca::kNoRequestTimeout);
  }
  CHECK(meshca::kNoRequestTimeout > std::chrono::hours(24 * 30));
  // Text that is no duration never gets this far (bad usage); here it keeps the default.
  flags.request_timeout = "soon";
  CHECK(meshca::list_request_timeout(flags, milliseconds(60000)) == milliseconds(60000));
}
