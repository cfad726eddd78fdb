// Bad input refused before anything runs: prune-revision, status and cleanup-secrets argv tables,
// the kubeconfig checks, the istio-system check, the backup folder check and the dump size cap.

#include "meshca/cli/cluster_check.h"
#include "meshca/cli/kubeconfig_check.h"
#include "meshca/cli/selector_error.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_cli.h"
#include "meshca/commands/prune_revision/prune_revision_cli.h"
#include "meshca/commands/status/status_cli.h"
#include "meshca/mesh/config_dump.h"
#include "recording_kubectl.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace {

using Args = std::vector<std::string>;
using meshca::ExitStatus;
namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

template <class Parse>
void refuses(Parse parse, const Args& args, const std::string& message) {
  CAPTURE(message);
  auto parsed = parse(args);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().status == ExitStatus::bad_input);
  CHECK_MESSAGE(contains(parsed.error().message, message), parsed.error().message);
}

struct TempDir {
  std::string path = [] {
    std::string pattern = (fs::temp_directory_path() / "meshca-bad-input-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    return pattern;
  }();
  ~TempDir() { fs::remove_all(path); }
};

constexpr const char* kConfigView = R"({"kind":"Config","apiVersion":"v1",
  "clusters":[{"name":"east-cluster","cluster":{"server":"https://e"}}],
  "users":[{"name":"east-admin","user":{"token":"REDACTED"}}],
  "contexts":[{"name":"east","context":{"cluster":"east-cluster","user":"east-admin"}},
              {"name":"west","context":{"cluster":"east-cluster","user":"east-admin"}}],
  "current-context":"east"})";

} // namespace

TEST_CASE("prune-revision: invalid revision names, flags and arguments are bad input") {
  const auto parse = [](const Args& args) { return meshca::parse_prune_revision(args); };
  refuses(parse, {"Bad_Rev"}, "revision \"Bad_Rev\": not a valid revision name");
  refuses(parse, {"--", "-x"}, "revision \"-x\": not a valid revision name");
  refuses(parse, {std::string(64, 'a')}, "not a valid revision name");
  refuses(parse, {"a;b"}, "revision \"a;b\"");
  refuses(parse, {"$(touch /tmp/pwned)"}, "revision \"$(touch /tmp/pwned)\"");
  refuses(parse, {"-x"}, "unknown flag -x");
  refuses(parse, {}, "missing OLD argument");
  refuses(parse, {"a", "b"}, "too many arguments");
  refuses(parse, {"asm-1", "--yse"}, "did you mean --yes?");
  refuses(parse, {"asm-1", "--dry-run=maybe"}, "valid values are none, client, server");
  refuses(parse, {"asm-1", "-o", "json"}, "unknown flag -o");
  CHECK(meshca::parse_prune_revision({std::string(63, 'a')}).ok());
}

TEST_CASE("status: arguments and flags are bad input") {
  const auto parse = [](const Args& args) { return meshca::parse_status(args); };
  refuses(parse, {"shop"}, "unexpected argument \"shop\"");
  refuses(parse, {"-o", "wide"}, "valid: text, json, yaml");
  refuses(parse, {"--outptu", "json"}, "did you mean --output?");
  refuses(parse, {"--request-timeout", "forever"}, "--request-timeout \"forever\"");
  refuses(parse, {"-n", "shop"}, "unknown flag -n");
}

TEST_CASE("cleanup-secrets: contradictory and missing flags are bad input") {
  const auto parse = [](const Args& args) { return meshca::parse_cleanup_secrets(args); };
  refuses(parse, {}, "--backup-dir DIR is required");
  refuses(parse, {"--backup-dir", "a", "--restore", "b"}, "contradict each other");
  refuses(parse, {"--backup-dir", ""}, "the folder name is empty");
  refuses(parse, {"--restore", "b", "--force"}, "not to --restore");
  refuses(parse, {"--backup-dri", "a"}, "did you mean --backup-dir?");
  refuses(parse, {"--backup-dir", "a", "--timeout", "soon"}, "--timeout \"soon\"");
  refuses(parse, {"--backup-dir", "a", "extra"}, "unexpected argument \"extra\"");
}

TEST_CASE("cleanup-secrets: the backup folder is checked before anything is read") {
  TempDir temp;
  CHECK(meshca::check_backup_dir_usable(temp.path + "/new/deeper").ok());
  CHECK(meshca::check_backup_dir_usable(temp.path).ok()); // mkdtemp: 0700
  REQUIRE(::chmod(temp.path.c_str(), 0755) == 0);
  auto open = meshca::check_backup_dir_usable(temp.path);
  REQUIRE_FALSE(open.ok());
  CHECK(open.error().status == ExitStatus::bad_input);
  CHECK(contains(open.error().message, "--backup-dir " + temp.path + ": the folder has mode 0755"));
  CHECK(contains(open.error().message, "chmod 700 " + temp.path));
  REQUIRE(::chmod(temp.path.c_str(), 0700) == 0);

  std::ofstream(temp.path + "/file") << "x";
  for (const auto& [dir, message] : std::vector<std::pair<std::string, std::string>>{
           {temp.path + "/file", "exists and is not a folder"},
           {temp.path + "/file/sub", "Not a directory"},
           {"/dev/null/backup", "Not a directory"}}) {
    CAPTURE(dir);
    auto checked = meshca::check_backup_dir_usable(dir);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().status == ExitStatus::bad_input);
    CHECK(contains(checked.error().message, "--backup-dir " + dir + ": "));
    CHECK_MESSAGE(contains(checked.error().message, message), checked.error().message);
  }
  CHECK_FALSE(fs::exists(temp.path + "/new")); // nothing was created
}

TEST_CASE("kubeconfig: names typed for it must be in it, with a suggestion") {
  auto names = meshca::parse_kubeconfig_names(kConfigView);
  REQUIRE(names.ok());
  CHECK(names->contexts == Args{"east", "west"});
  CHECK(names->clusters == Args{"east-cluster"});
  CHECK(names->users == Args{"east-admin"});

  meshca::CommonOptions options;
  options.contexts = {"east", "wset"};
  auto missing = meshca::check_connection_names(options, *names);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().status == ExitStatus::bad_input);
  CHECK(contains(missing.error().message,
                 "--context \"wset\": the kubeconfig has no context of that name "
                 "(it holds \"east\", \"west\"); did you mean \"west\"?"));
  CHECK(contains(missing.error().message, "kubectl config get-contexts"));

  options.contexts = {"west"};
  options.cluster = "nope";
  options.kubeconfig = "/k";
  auto cluster = meshca::check_connection_names(options, *names);
  REQUIRE_FALSE(cluster.ok());
  CHECK(contains(cluster.error().message, "--cluster \"nope\": kubeconfig \"/k\" has no cluster"));
  options.cluster.reset();
  options.user = "root";
  CHECK(
      contains(meshca::check_connection_names(options, *names).error().message, "--user \"root\""));
  options.user = "east-admin";
  CHECK(meshca::check_connection_names(options, *names).ok());

  CHECK(meshca::parse_kubeconfig_names("not json").error().status == ExitStatus::bad_input);
}

TEST_CASE(
    "kubeconfig: the file is checked, then kubectl reads the names only when flags name them") {
  meshca::CommonOptions options;
  meshca::testing::RecordingKubectl kubectl;
  kubectl.on_success({"config", "view"}, kConfigView);
  CHECK(meshca::check_kubeconfig(kubectl, options).ok());
  CHECK(kubectl.calls().empty()); // nothing typed: nothing to check, no process

  options.kubeconfig = "/nonexistent/kubeconfig";
  auto missing = meshca::check_kubeconfig(kubectl, options);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().status == ExitStatus::bad_input);
  CHECK(contains(missing.error().message,
                 "--kubeconfig \"/nonexistent/kubeconfig\": No such file or directory"));
  CHECK(kubectl.calls().empty());

  options.kubeconfig = "/dev/null";
  CHECK(contains(meshca::check_kubeconfig(kubectl, options).error().message, "not a regular file"));

  options.kubeconfig.reset();
  options.contexts = {"nope"};
  auto context = meshca::check_kubeconfig(kubectl, options);
  REQUIRE_FALSE(context.ok());
  CHECK(contains(context.error().message, "--context \"nope\""));
  CHECK(kubectl.count({"config", "view", "-o", "json"}) == 1);

  meshca::testing::RecordingKubectl broken;
  broken.on_failure({"config", "view"}, "error: error loading config file \"/k\": yaml: line 1: "
                                        "did not find expected node content\n");
  auto unloadable = meshca::check_kubeconfig(broken, options);
  REQUIRE_FALSE(unloadable.ok());
  CHECK(unloadable.error().status == ExitStatus::bad_input);
  CHECK(contains(unloadable.error().message, "kubeconfig \"/k\" cannot be loaded: yaml: line 1"));
}

TEST_CASE("kubeconfig: kubectl's own kubeconfig failures become bad input naming the fix") {
  struct Case {
    std::string kubectl_says;
    std::string message;
  };
  for (const Case& c : {
           Case{"Error in configuration: context was not found for specified context: nope",
                "--context \"nope\": the kubeconfig has no context of that name; list them with "
                "kubectl config get-contexts"},
           Case{"no server found for cluster \"far\"",
                "--cluster \"far\": the kubeconfig has no cluster"},
           Case{"auth info \"bob\" does not exist", "--user \"bob\": the kubeconfig has no user"},
           Case{"error loading config file \"/k\": json: cannot unmarshal string",
                "kubeconfig \"/k\" cannot be loaded: json: cannot unmarshal string; fix the file"},
           Case{"Invalid timeout value. Timeout must be a single integer", "--request-timeout"},
       }) {
    CAPTURE(c.kubectl_says);
    const meshca::Error classified = meshca::classify_kubeconfig_error(meshca::cluster_error(
        "listing pods: " + c.kubectl_says + " (kubectl get pods -A -o json)"));
    CHECK(classified.status == ExitStatus::bad_input);
    CHECK_MESSAGE(contains(classified.message, c.message), classified.message);
    CHECK_FALSE(contains(classified.message, "(kubectl get"));
  }
  const meshca::Error unreachable = meshca::classify_kubeconfig_error(meshca::cluster_error(
      "listing pods: The connection to the server localhost:8080 was refused (kubectl get pods)"));
  CHECK(unreachable.status == ExitStatus::cluster_error);
  const meshca::Error refused = meshca::classify_kubeconfig_error(
      meshca::check_failed("context was not found for specified context: x"));
  CHECK(refused.status == ExitStatus::check_failed); // only cluster errors are reclassified
}

TEST_CASE("a cluster without istio-system is bad input naming the context") {
  meshca::testing::RecordingKubectl kubectl;
  kubectl.on_not_found({"get", "namespace", "istio-system"}, "namespaces \"istio-system\"");
  auto missing = meshca::require_istio_namespace(kubectl, std::string("east"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().status == ExitStatus::bad_input);
  CHECK(contains(missing.error().message,
                 "namespace \"istio-system\" not found: the cluster of context \"east\""));
  CHECK(contains(missing.error().message, "nothing was changed"));
  CHECK(contains(meshca::require_istio_namespace(kubectl, std::nullopt).error().message,
                 "the current context"));

  meshca::testing::RecordingKubectl present;
  present.on_success({"get", "namespace", "istio-system"}, "namespace/istio-system\n");
  CHECK(meshca::require_istio_namespace(present, std::nullopt).ok());

  meshca::testing::RecordingKubectl down;
  down.on_failure({"get", "namespace"}, "The connection to the server 10.0.0.1 was refused\n");
  CHECK(meshca::require_istio_namespace(down, std::nullopt).error().status ==
        ExitStatus::cluster_error);
  meshca::testing::RecordingKubectl typo;
  typo.on_failure({"get", "namespace"},
                  "error: context was not found for specified context: eats\n");
  auto context = meshca::require_istio_namespace(typo, std::string("eats"));
  CHECK(context.error().status == ExitStatus::bad_input);
  CHECK(contains(context.error().message, "--context \"eats\""));
}

TEST_CASE("a config dump over the cap is refused at the parser's entry, naming it and the cap") {
  static_assert(meshca::mesh::kMaxConfigDumpBytes == std::size_t{256} << 20);
  CHECK(meshca::mesh::format_byte_size(meshca::mesh::kMaxConfigDumpBytes) == "256 MiB");
  const std::string big(4096, ' ');
  auto parsed = meshca::mesh::parse_config_dump(big, "pod \"shop/web-1\"", 1024);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().status == ExitStatus::bad_input);
  CHECK(contains(
      parsed.error().message,
      "pod \"shop/web-1\": config dump of 4096 bytes is more than the limit of 1024 bytes"));
}

TEST_CASE("a selector the API server cannot parse is bad input naming it") {
  const meshca::Error api =
      meshca::cluster_error("listing pods: unable to parse requirement: found 'a b', expected a "
                            "valid label selector term "
                            "(GET /api/v1/pods?labelSelector=a%20b, HTTP 400)");
  const meshca::Error classified = meshca::classify_selector_error(api, "a b");
  CHECK(classified.status == ExitStatus::bad_input);
  CHECK(
      contains(classified.message,
               "-l/--selector \"a b\": not a label selector the API server accepts "
               "(unable to parse requirement: found 'a b', expected a valid label selector term)"));
  CHECK(meshca::classify_selector_error(api, "").status ==
        ExitStatus::cluster_error); // no -l given
  CHECK(meshca::classify_selector_error(meshca::cluster_error("listing pods: timeout"), "a b")
            .status == ExitStatus::cluster_error);
}
