#include "meshca/cli/completion.h"
#include "meshca/cli/completion_cluster.h"
#include "meshca/cli/completion_flags.h"
#include "meshca/commands/check_root/check_root_cli.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_cli.h"
#include "meshca/commands/preflight/preflight_cli.h"
#include "meshca/commands/prune_revision/prune_revision_cli.h"
#include "meshca/commands/registry.h"
#include "meshca/commands/relabel/relabel_cli.h"
#include "meshca/commands/rollout/rollout_cli.h"
#include "meshca/commands/status/status_cli.h"
#include "meshca/commands/traffic/traffic_cli.h"
#include "meshca/composite/migrate/migrate_cli.h"
#include "meshca/composite/report/report_cli.h"
#include "recording_kubectl.h"

#include <doctest/doctest.h>
#include <functional>

namespace {

using meshca::CompletionPlan;
using meshca::Directive;
using meshca::Lookup;
using Words = std::vector<std::string>;

meshca::CommandTable registry() {
  return meshca::command_registry();
}

std::optional<meshca::CommandInfo> find_command(std::string_view name) {
  return find_command(registry(), name);
}

// The plan for the words typed after `kubectl meshca COMMAND` ("" = after `kubectl meshca`).
CompletionPlan plan(std::string_view command, Words words,
                    std::vector<std::string_view> listed_by_kubectl = {}) {
  meshca::CompletionRequest request;
  request.commands = registry();
  if (!command.empty()) {
    request.command = find_command(command);
    REQUIRE(request.command.has_value());
  }
  request.words = std::move(words);
  request.listed_by_kubectl = std::move(listed_by_kubectl);
  return meshca::plan_completion(request);
}

Words values(const std::vector<meshca::Candidate>& candidates) {
  Words out;
  for (const auto& candidate : candidates)
    out.push_back(candidate.value);
  return out;
}

bool has(const Words& all, const std::string& value) {
  return std::find(all.begin(), all.end(), value) != all.end();
}

const Words kAllCommands = {"check-root",     "relabel",   "rollout", "cleanup-secrets", "status",
                            "prune-revision", "preflight", "traffic", "migrate",         "report"};

} // namespace

TEST_CASE("completion: fixed candidates, as a table of words") {
  struct Case {
    std::string command;
    Words words;
    Words expected;
    Directive directive;
  };
  const auto no_file = Directive::no_file;
  for (const Case& c : {
           Case{"check-root", {"--tr"}, {"--trust-domain", "--transport"}, no_file},
           Case{"check-root", {"--transport", ""}, {"auto", "proxy", "exec"}, no_file},
           Case{"check-root", {"--transport=p"}, {"proxy"}, no_file},
           Case{"check-root", {"-o", ""}, {"text", "wide", "json", "yaml"}, no_file},
           Case{"check-root", {"--output=j"}, {"json"}, no_file},
           Case{"relabel", {"ns", "a", "-o", ""}, {"text", "name", "json"}, no_file},
           Case{"rollout", {"-o", ""}, {"text", "json"}, no_file},
           Case{"status", {"--output", ""}, {"text", "json", "yaml"}, no_file},
           Case{"preflight", {"--f"}, {"--for"}, no_file},
           Case{"relabel", {"ns", "--dry-run="}, {"none", "client", "server"}, no_file},
           Case{"prune-revision", {"--dry-run=s"}, {"server"}, no_file},
           // A bare --dry-run never takes the next word: that is the first positional.
           Case{"relabel", {"--dry-run", ""}, {"ns"}, no_file},
           Case{"relabel", {""}, {"ns"}, no_file},
           Case{"relabel", {"names"}, {"namespace", "namespaces"}, no_file},
           Case{"check-root", {"--require", ""}, {"CITADEL", "MESHCA", "CITADEL,MESHCA"}, no_file},
           Case{"check-root", {"--forbid", "M"}, {"MESHCA"}, no_file},
           Case{"rollout",
                {"--kinds", ""},
                {"deployment", "statefulset", "daemonset"},
                Directive::no_file | Directive::no_space},
           Case{"rollout",
                {"--kinds", "deployment,s"},
                {"deployment,statefulset"},
                Directive::no_file | Directive::no_space},
           Case{"rollout",
                {"--kinds=daemonset,deployment,"},
                {"daemonset,deployment,statefulset"},
                Directive::no_file | Directive::no_space},
           // Free-text values and commands without positionals: nothing, and no file names.
           Case{"check-root", {"-l", ""}, {}, no_file},
           Case{"rollout", {"--timeout", "5"}, {}, no_file},
           Case{"status", {""}, {}, no_file},
           Case{"cleanup-secrets", {"--yes", ""}, {}, no_file},
           Case{"prune-revision", {"asm-1", ""}, {}, no_file},
           // A flag the command does not take: nothing to complete for it.
           Case{"cleanup-secrets", {"-o", ""}, {}, no_file},
           Case{"check-root", {"--mtls=x"}, {}, no_file},
           // File- and folder-valued flags leave it to the shell.
           Case{"check-root", {"--config-dump", ""}, {}, Directive::files},
           Case{"check-root", {"--meshca-bundle=./b"}, {}, Directive::files},
           Case{"status", {"--kubeconfig", ""}, {}, Directive::files},
           Case{"cleanup-secrets", {"--backup-dir", ""}, {}, Directive::filter_dirs},
           Case{"cleanup-secrets", {"--restore", "ca"}, {}, Directive::filter_dirs},
       }) {
    CAPTURE(c.command);
    CAPTURE(c.words.back());
    const CompletionPlan p = plan(c.command, c.words);
    CHECK(values(p.candidates) == c.expected);
    CHECK(p.directive == c.directive);
    CHECK(p.lookup == Lookup::none);
  }
}

TEST_CASE("completion: flags, long and short, not repeated unless repeatable") {
  const Words all = values(plan("check-root", {"--"}).candidates);
  for (const char* flag :
       {"--selector", "--workload-cert", "--transport", "--config-dump", "--namespace",
        "--all-namespaces", "--output", "--kubeconfig", "--context", "--request-timeout",
        "--kubectl", "--verbose", "--help", "--version"})
    CHECK_MESSAGE(has(all, flag), flag);
  CHECK_FALSE(has(all, "-n")); // short forms only for "-", as cobra does
  CHECK_FALSE(has(all, "--revision"));
  CHECK(plan("check-root", {"--"}).directive == Directive::no_file);

  const Words dash = values(plan("check-root", {"-"}).candidates);
  for (const char* flag : {"-n", "-A", "-o", "-l", "-v", "-h", "--selector"})
    CHECK_MESSAGE(has(dash, flag), flag);

  const auto described = plan("relabel", {"--und"}).candidates;
  REQUIRE(described.size() == 1);
  CHECK(described[0].value == "--undo");
  CHECK(described[0].description.starts_with("Restore the injection labels"));

  CHECK(values(plan("check-root", {"--mtls", "--m"}).candidates) == Words{"--meshca-bundle"});
  CHECK(values(plan("check-root", {"--context", "a", "--cont"}).candidates) == Words{"--context"});
  CHECK(values(plan("check-root", {"--output=json", "--out"}).candidates).empty());
  // relabel and rollout take -o but not the common -n; rollout has its own -n.
  CHECK_FALSE(has(values(plan("relabel", {"-"}).candidates), "-n"));
  CHECK(has(values(plan("rollout", {"-"}).candidates), "-n"));
  CHECK_FALSE(has(values(plan("cleanup-secrets", {"-"}).candidates), "-o"));
}

TEST_CASE("completion: namespaces, revisions and contexts are looked up") {
  struct Case {
    std::string command;
    Words words;
    Lookup lookup;
    std::string prefix;
    Words exclude;
  };
  for (const Case& c : {
           Case{"check-root", {""}, Lookup::namespaces, "", {}},
           Case{
               "check-root", {"bookinfo", "-l", "a=b", "s"}, Lookup::namespaces, "s", {"bookinfo"}},
           Case{"check-root", {"-n", ""}, Lookup::namespaces, "", {}},
           Case{"check-root", {"--namespace=ba"}, Lookup::namespaces, "ba", {}},
           Case{"check-root", {"--", "-x"}, Lookup::namespaces, "-x", {}},
           Case{"rollout", {"-n", "b"}, Lookup::namespaces, "b", {}},
           Case{"rollout", {"shop", ""}, Lookup::namespaces, "", {"shop"}},
           Case{"relabel", {"ns", ""}, Lookup::namespaces, "", {}},
           Case{"relabel", {"ns", "a", "--force", ""}, Lookup::namespaces, "", {"a"}},
           Case{"relabel", {"ns", "a", "--revision", ""}, Lookup::revisions_and_tags, "", {}},
           Case{"relabel", {"--revision=asm"}, Lookup::revisions_and_tags, "asm", {}},
           Case{"prune-revision", {""}, Lookup::revisions, "", {}},
           Case{"prune-revision", {"--yes", "--dry-run", "a"}, Lookup::revisions, "a", {}},
           Case{"status", {"--context", ""}, Lookup::contexts, "", {}},
           Case{"check-root", {"--context=e"}, Lookup::contexts, "e", {}},
       }) {
    CAPTURE(c.command);
    CAPTURE(c.words.back());
    const CompletionPlan p = plan(c.command, c.words);
    CHECK(p.lookup == c.lookup);
    CHECK(p.prefix == c.prefix);
    CHECK(p.exclude == c.exclude);
    CHECK(p.candidates.empty());
    CHECK(p.directive == Directive::no_file);
  }
}

TEST_CASE("completion: connection flags typed on the line reach the lookup") {
  const CompletionPlan p =
      plan("check-root", {"--kubeconfig", "/k", "--context=east", "--context", "west", "--user",
                          "u", "--kubectl", "/bin/kc", "-n", ""});
  CHECK(p.connection.kubeconfig == "/k");
  CHECK(p.connection.context == "east"); // the first cluster, as the command reads it
  CHECK(p.connection.user == "u");
  CHECK_FALSE(p.connection.cluster.has_value());
  CHECK(p.kubectl == "/bin/kc");
  CHECK_FALSE(plan("check-root", {"-n", ""}).connection.context.has_value());
}

TEST_CASE("completion: the dispatcher completes commands, its flags and the command's words") {
  const CompletionPlan commands = plan("", {""});
  CHECK(values(commands.candidates) == kAllCommands);
  CHECK(commands.candidates[0].description == find_command("check-root")->summary);
  CHECK(commands.directive == Directive::no_file);
  CHECK(values(plan("", {"c"}).candidates) == Words{"check-root", "cleanup-secrets"});
  // Commands kubectl lists itself (their executables are on PATH) are not offered twice.
  CHECK(values(plan("", {""}, {"check-root", "relabel", "rollout"}).candidates) ==
        Words{"cleanup-secrets", "status", "prune-revision", "preflight", "traffic", "migrate",
              "report"});
  // `help COMMAND` lists every command.
  CHECK(values(plan("", {"help", ""}, {"check-root"}).candidates) == kAllCommands);
  CHECK(values(plan("", {"help", "status", ""}).candidates).empty());

  const Words flags = values(plan("", {"-"}).candidates);
  for (const char* flag : {"--context", "--kubeconfig", "-n", "-o", "--help", "--version"})
    CHECK_MESSAGE(has(flags, flag), flag);
  CHECK_FALSE(has(flags, "--transport"));
  CHECK(plan("", {"--context", ""}).lookup == Lookup::contexts);

  // After the command name: the command's completion, with the flags before it counted.
  CHECK(values(plan("", {"check-root", "--tr"}).candidates) ==
        Words{"--trust-domain", "--transport"});
  CHECK(values(plan("", {"check_root", "--transport", "e"}).candidates) == Words{"exec"});
  const CompletionPlan scoped = plan("", {"--context", "east", "-v", "check-root", "-n", ""});
  CHECK(scoped.lookup == Lookup::namespaces);
  CHECK(scoped.connection.context == "east");
  CHECK(plan("", {"relabel", "ns", "a", ""}).exclude == Words{"a"});
  CHECK(plan("", {"--kubeconfig=/k", "prune-revision", ""}).connection.kubeconfig == "/k");
  // An unknown command: nothing.
  const CompletionPlan unknown = plan("", {"bogus", ""});
  CHECK(unknown.candidates.empty());
  CHECK(unknown.lookup == Lookup::none);
  // No words at all (run by hand): as a new word.
  CHECK(values(plan("", {}).candidates) == kAllCommands);
}

TEST_CASE("completion: the executable's name says the command") {
  auto dispatcher = meshca::completion_command_for("kubectl_complete-meshca", registry());
  REQUIRE(dispatcher.ok());
  CHECK_FALSE(dispatcher->has_value());
  for (const meshca::CommandInfo& command : registry()) {
    const std::string name = meshca::completion_executable(command);
    CHECK(name == "kubectl_complete-meshca-" + std::string(command.executable.substr(
                                                   std::string("kubectl-meshca-").size())));
    auto found = meshca::completion_command_for(name, registry());
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->name == command.name);
  }
  CHECK(meshca::completion_executable(*find_command("check-root")) ==
        "kubectl_complete-meshca-check_root");
  for (const char* wrong : {"kubectl-meshca", "kubectl_complete-meshca-check-root",
                            "kubectl_complete-meshca-", "complete", ""}) {
    auto result = meshca::completion_command_for(wrong, registry());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().status == meshca::ExitStatus::bad_input);
    CHECK(result.error().message.find("kubectl_complete-meshca-check_root") != std::string::npos);
  }
}

TEST_CASE("completion: rendered one candidate a line, then the directive") {
  CHECK(meshca::render_completion({{{"a", "the a"}, {"b", ""}}, Directive::no_file}) ==
        "a\tthe a\nb\n:4\n");
  CHECK(meshca::render_completion({{}, Directive::files}) == ":0\n");
  CHECK(meshca::render_completion({{{"x\ty", "two\nlines"}}, Directive::filter_dirs}) ==
        "x y\ttwo lines\n:16\n");
  CHECK(meshca::render_completion({{}, Directive::no_file | Directive::no_space}) == ":6\n");
}

// The common flag sets in the completion table must be the ones each parser uses.
TEST_CASE("completion: the table's flags are the ones the parsers take") {
  using Parse = std::function<bool(const Words&)>;
  struct Command {
    std::string name;
    Words valid; // a command line the parser accepts
    Parse parse;
    Words valid_for_flags = {}; // one that takes every fixed flag, when not `valid`
  };
  const std::vector<Command> commands = {
      {"check-root", {}, [](const Words& a) { return meshca::parse_check_root(a).ok(); }},
      {"relabel",
       {"ns", "a", "--revision", "r"},
       [](const Words& a) { return meshca::parse_relabel(a).ok(); }},
      {"rollout", {"a"}, [](const Words& a) { return meshca::parse_rollout(a).ok(); }},
      {"cleanup-secrets",
       {"--backup-dir", "d"},
       [](const Words& a) { return meshca::parse_cleanup_secrets(a).ok(); }},
      {"status", {}, [](const Words& a) { return meshca::parse_status(a).ok(); }},
      {"prune-revision",
       {"old"},
       [](const Words& a) { return meshca::parse_prune_revision(a).ok(); }},
      {"preflight", {}, [](const Words& a) { return meshca::parse_preflight(a).ok(); }},
      {"traffic", {}, [](const Words& a) { return meshca::parse_traffic(a).ok(); }},
      {"migrate",
       {"plan"},
       [](const Words& a) { return meshca::parse_migrate(a).ok(); },
       {"apply"}}, // plan and status take none of apply's flags
      {"report", {}, [](const Words& a) { return meshca::parse_report(a).ok(); }},
  };
  REQUIRE(commands.size() == registry().size());
  for (const Command& command : commands) {
    CAPTURE(command.name);
    const meshca::CommandSpec spec = meshca::command_spec(*find_command(command.name));
    REQUIRE(command.parse(command.valid));
    auto with = [&command](Words extra) {
      Words args = command.valid;
      args.insert(args.end(), extra.begin(), extra.end());
      return command.parse(args);
    };
    if (const meshca::FlagSpec* output = spec.find("output")) {
      REQUIRE_FALSE(output->values.empty());
      for (const auto& format : output->values)
        CHECK_MESSAGE(with({"-o", format.value}), format.value);
    } else {
      CHECK_FALSE(with({"-o", "json"}));
    }
    CHECK(with({"-n", "x"}) == (spec.find("namespace") != nullptr));
    CHECK(with({"-A"}) == (spec.find("all-namespaces") != nullptr));
    // Every value a fixed flag offers is accepted.
    for (const meshca::FlagSpec& flag : spec.flags) {
      if (flag.source != meshca::ValueSource::fixed || flag.long_name == "output")
        continue;
      for (const auto& choice : flag.values) {
        Words args = command.valid_for_flags.empty() ? command.valid : command.valid_for_flags;
        args.push_back("--" + flag.long_name + "=" + choice.value);
        CHECK_MESSAGE(command.parse(args), flag.long_name, " ", choice.value);
      }
    }
  }
  CHECK_FALSE(find_command("bogus")); // an unknown name has no row, so no spec
}

namespace {

constexpr const char* kDeployments = R"({"kind":"List","items":[
 {"metadata":{"name":"istiod-asm-1","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-1"}}},
 {"metadata":{"name":"istiod-asm-2","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-2"}}},
 {"metadata":{"name":"old-gateway","namespace":"istio-system","labels":{"app":"gw","istio.io/rev":"asm-0"}}}
]})";

constexpr const char* kWebhooks = R"({"kind":"List","items":[
 {"metadata":{"name":"istio-revision-tag-default","labels":{"app":"sidecar-injector","istio.io/rev":"asm-1","istio.io/tag":"default"}},
  "webhooks":[{"name":"namespace.sidecar-injector.istio.io","clientConfig":{"service":{"name":"istiod-asm-1","namespace":"istio-system"}}}]}
]})";

CompletionPlan lookup_plan(Lookup lookup, std::string prefix = {}, Words exclude = {}) {
  CompletionPlan p;
  p.lookup = lookup;
  p.prefix = std::move(prefix);
  p.exclude = std::move(exclude);
  return p;
}

} // namespace

TEST_CASE("completion: lookups through kubectl, filtered") {
  meshca::testing::RecordingKubectl kubectl;
  kubectl.on_success({"get", "namespaces"},
                     "namespace/batch\nnamespace/bookinfo\nnamespace/shop\nnamespace/bookinfo\n");
  kubectl.on_success({"config", "get-contexts"}, "east\nwest\n");
  kubectl.on_success({"get", "deployments"}, kDeployments);
  kubectl.on_success({"get", "mutatingwebhookconfigurations"}, kWebhooks);

  auto namespaces =
      meshca::finish_completion(lookup_plan(Lookup::namespaces, "b", {"batch"}), kubectl);
  CHECK(values(namespaces.candidates) == Words{"bookinfo"});
  CHECK(namespaces.directive == Directive::no_file);
  REQUIRE(kubectl.calls().size() == 1);
  CHECK(kubectl.calls()[0].args == Words{"get", "namespaces", "-o", "name"});

  CHECK(values(meshca::finish_completion(lookup_plan(Lookup::contexts), kubectl).candidates) ==
        Words{"east", "west"});

  const auto revisions = meshca::finish_completion(lookup_plan(Lookup::revisions), kubectl);
  CHECK(values(revisions.candidates) == Words{"asm-0", "asm-1", "asm-2"});
  CHECK(revisions.candidates[0].description == "gateways only, no istiod");
  CHECK(revisions.candidates[1].description == "istiod istiod-asm-1");
  const auto targets =
      meshca::finish_completion(lookup_plan(Lookup::revisions_and_tags, "", {"asm-2"}), kubectl);
  CHECK(values(targets.candidates) == Words{"asm-1", "default"});
  CHECK(targets.candidates[1].description == "revision tag for asm-1");

  kubectl.clear_calls();
  CompletionPlan fixed;
  fixed.candidates = {{"ns", ""}};
  CHECK(values(meshca::finish_completion(fixed, kubectl).candidates) == Words{"ns"});
  CHECK(kubectl.calls().empty()); // nothing to look up: kubectl is not run
}

TEST_CASE("completion: a failing cluster gives no candidates, never an error") {
  meshca::ProcessOutput timed_out;
  timed_out.timed_out = true;
  meshca::testing::RecordingKubectl kubectl;
  kubectl.on_failure({"get", "namespaces"},
                     "Unable to connect to the server: dial tcp: i/o timeout\n");
  kubectl.on({"config", "get-contexts"}, timed_out);
  kubectl.on_success({"get", "deployments"}, kDeployments);
  kubectl.on_failure({"get", "mutatingwebhookconfigurations"}, "Error from server (Forbidden)\n");
  for (Lookup lookup : {Lookup::namespaces, Lookup::contexts, Lookup::revisions}) {
    CompletionPlan p = lookup_plan(lookup);
    p.candidates = {{"kept?", ""}};
    const meshca::Completion completion = meshca::finish_completion(p, kubectl);
    CHECK(completion.candidates.empty());
    CHECK(completion.directive == Directive::no_file);
    CHECK_FALSE(meshca::lookup_candidates(kubectl, lookup).ok());
  }
  meshca::testing::RecordingKubectl garbled;
  garbled.on_success({"get", "deployments"}, "not json");
  CHECK(meshca::finish_completion(lookup_plan(Lookup::revisions_and_tags), garbled)
            .candidates.empty());
  CHECK(garbled.count({"get", "mutatingwebhookconfigurations"}) == 0);
}

TEST_CASE("completion: the real process gets the typed connection flags and a request timeout") {
  // /bin/echo stands in for kubectl: its one output line is the command line it was given.
  CompletionPlan p = plan("check-root", {"--kubectl", "/bin/echo", "--context", "east", "-n", ""});
  const meshca::Completion completion = meshca::complete_with_cluster(p);
  CHECK(values(completion.candidates) ==
        Words{"--context east --request-timeout 2s get namespaces -o name"});
  // Contexts come from the kubeconfig alone: the typed context is not passed.
  p = plan("check-root", {"--kubectl", "/bin/echo", "--kubeconfig", "kc.yaml", "--context", "east",
                          "--context", ""});
  CHECK(values(meshca::complete_with_cluster(p).candidates) ==
        Words{"--kubeconfig kc.yaml config get-contexts -o name"});
  // No budget left, or no kubectl: no candidates.
  p = plan("check-root", {"--kubectl", "/bin/echo", "-n", ""});
  CHECK(meshca::complete_with_cluster(p, {std::chrono::milliseconds(0), "2s"}).candidates.empty());
  p = plan("check-root", {"--kubectl", "/nonexistent/kubectl", "-n", ""});
  const meshca::Completion missing = meshca::complete_with_cluster(p);
  CHECK(missing.candidates.empty());
  CHECK(missing.directive == Directive::no_file);
}
