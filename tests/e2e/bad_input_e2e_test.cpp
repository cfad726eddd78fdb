// Bad input through the real executables against meshca-sim: every refusal names the object and
// the fix, exits 2 (DESIGN.md: 3 for a missing kubectl), and the mutation log shows nothing
// changed. Names, revisions, namespaces, flags, kubectl and the kubeconfig.

#include "bad_input_support.h"

namespace {

using namespace e2e::bad;
using e2e::SimCluster;

} // namespace

TEST_CASE("invalid revision names are refused by relabel and prune-revision, directly and through "
          "the dispatcher") {
  SmallMesh mesh;
  const std::string long_name(64, 'a');
  for (const std::string& revision : {std::string("Bad_Rev"), std::string("-x"), long_name}) {
    CAPTURE(revision);
    auto relabel =
        meshca_cmd(mesh.sim, "kubectl-meshca-relabel", {"ns", "shop", "--revision=" + revision});
    refused(mesh.sim, relabel, "relabel",
            {"--revision \"" + revision + "\": not a valid revision name", "DNS-1035"});
    auto prune = meshca_cmd(mesh.sim, "kubectl-meshca-prune_revision", {"--yes", "--", revision});
    refused(mesh.sim, prune, "prune-revision",
            {"revision \"" + revision + "\": not a valid revision name"});
    auto dispatched =
        meshca_cmd(mesh.sim, "kubectl-meshca", {"prune-revision", "--yes", "--", revision});
    refused(mesh.sim, dispatched, "prune-revision", {"revision \"" + revision + "\""});
  }
}

TEST_CASE("revisions that do not exist: relabel refuses (exit 1, DESIGN), prune-revision has "
          "nothing to delete (exit 0)") {
  SmallMesh mesh;
  auto relabel =
      meshca_cmd(mesh.sim, "kubectl-meshca-relabel", {"ns", "shop", "--revision", "asm-9"});
  refused(mesh.sim, relabel, "relabel",
          {"namespace \"shop\": no control plane for revision \"asm-9\"", "use --force"}, 1);
  auto prune = meshca_cmd(mesh.sim, "kubectl-meshca-prune_revision", {"asm-9", "--yes"});
  CHECK(prune.exit_code == 0);
  CHECK(contains(prune.out, "Nothing to delete: revision asm-9 is not installed."));
  CHECK(mutations(mesh.sim).empty());
}

TEST_CASE("unknown namespaces are bad input for check-root, relabel and rollout") {
  SmallMesh mesh;
  const std::string bundle = bundle_url(mesh.sim);
  refused(mesh.sim,
          meshca_cmd(mesh.sim, "kubectl-meshca-check_root", {"nosuch", "--meshca-bundle", bundle}),
          "check-root", {"namespaces \"nosuch\" not found", "kubectl get namespaces"});
  refused(mesh.sim,
          meshca_cmd(mesh.sim, "kubectl-meshca-check_root",
                     {"-n", "nosuch", "--meshca-bundle", bundle}),
          "check-root", {"\"nosuch\" not found"});
  refused(mesh.sim,
          meshca_cmd(mesh.sim, "kubectl-meshca-relabel",
                     {"ns", "shop", "nosuch", "--revision", "asm-1"}),
          "relabel", {"namespace \"nosuch\": not found", "nothing was changed"});
  refused(mesh.sim, meshca_cmd(mesh.sim, "kubectl-meshca-rollout", {"shop", "nosuch"}), "rollout",
          {"namespace \"nosuch\": not found", "nothing was restarted"});
  refused(mesh.sim, meshca_cmd(mesh.sim, "kubectl-meshca", {"rollout", "nosuch"}), "rollout",
          {"namespace \"nosuch\": not found"});
}

TEST_CASE("unknown flags are bad input with a did-you-mean, for every command and the dispatcher") {
  SmallMesh mesh;
  struct Case {
    const char* executable;
    const char* command;
    std::vector<std::string> args;
    const char* message;
  };
  for (const Case& c : {
           Case{"kubectl-meshca-check_root",
                "check-root",
                {"--wrkload-cert"},
                "unknown flag --wrkload-cert; did you mean --workload-cert?"},
           Case{"kubectl-meshca-relabel",
                "relabel",
                {"ns", "shop", "--revison", "asm-1"},
                "did you mean --revision?"},
           Case{"kubectl-meshca-rollout",
                "rollout",
                {"shop", "--timout", "5m"},
                "did you mean --timeout?"},
           Case{"kubectl-meshca-cleanup_secrets",
                "cleanup-secrets",
                {"--backup-dri", "x"},
                "did you mean --backup-dir?"},
           Case{"kubectl-meshca-prune_revision",
                "prune-revision",
                {"asm-1", "--yse"},
                "did you mean --yes?"},
           Case{"kubectl-meshca-status", "status", {"--outptu", "json"}, "did you mean --output?"},
           Case{"kubectl-meshca",
                "",
                {"--contxt", "x", "status"},
                "unknown flag --contxt before the command name; did you mean --context?"},
           Case{"kubectl-meshca",
                "",
                {"check-rot"},
                "unknown command \"check-rot\" for \"kubectl meshca\"; did you mean "
                "\"check-root\"?"},
           Case{"kubectl-meshca",
                "status",
                {"status", "--outptu", "json"},
                "did you mean --output?"},
       }) {
    CAPTURE(c.message);
    refused(mesh.sim, meshca_cmd(mesh.sim, c.executable, c.args), c.command, {c.message});
  }
}

TEST_CASE("contradictory and malformed flags are bad input") {
  SmallMesh mesh;
  struct Case {
    const char* executable;
    const char* command;
    std::vector<std::string> args;
    const char* message;
  };
  for (const Case& c : {
           Case{"kubectl-meshca-check_root",
                "check-root",
                {"-A", "shop"},
                "-A/--all-namespaces and namespace names contradict each other"},
           Case{"kubectl-meshca-check_root",
                "check-root",
                {"--config-dump", "x.json", "-n", "shop"},
                "cannot be combined with -n/--namespace"},
           Case{"kubectl-meshca-check_root",
                "check-root",
                {"-o", "name"},
                "valid: text, wide, json, yaml"},
           Case{"kubectl-meshca-relabel",
                "relabel",
                {"ns", "shop", "--revision", "asm-1", "--undo"},
                "conflicting targets"},
           Case{"kubectl-meshca-relabel",
                "relabel",
                {"ns", "shop", "--revision", "asm-1", "--injection-enabled"},
                "conflicting targets"},
           Case{"kubectl-meshca-rollout",
                "rollout",
                {"shop", "--dry-run=maybe"},
                "--dry-run \"maybe\": valid values are none, client, server"},
           Case{"kubectl-meshca-cleanup_secrets",
                "cleanup-secrets",
                {"--backup-dir", "a", "--restore", "b"},
                "--backup-dir and --restore contradict each other"},
           Case{"kubectl-meshca-cleanup_secrets",
                "cleanup-secrets",
                {"--restore", "b", "--force"},
                "--force and --meshca-bundle apply to the cleanup"},
           Case{"kubectl-meshca-status", "status", {"-o", "wide"}, "valid: text, json, yaml"},
           Case{"kubectl-meshca-status",
                "status",
                {"--request-timeout", "soon"},
                "--request-timeout \"soon\": expected a duration"},
       }) {
    CAPTURE(c.message);
    refused(mesh.sim, meshca_cmd(mesh.sim, c.executable, c.args), c.command, {c.message});
  }
}

TEST_CASE(
    "a missing kubectl is exit 3 (DESIGN.md: kubectl missing), naming the fix, for every command") {
  SmallMesh mesh;
  TempDir empty_path; // a PATH with no kubectl in it
  for (const Plugin& p : cluster_plugins(mesh.sim, empty_path.path + "/backup")) {
    CAPTURE(p.command);
    const std::vector<std::string>& args = p.args;
    std::vector<std::string> given = args;
    given.insert(given.end(), {"--kubectl", "/nonexistent/kubectl"});
    refused(mesh.sim, meshca_cmd(mesh.sim, p.executable, given), p.command,
            {"--kubectl \"/nonexistent/kubectl\": not an executable file; pass the path of a "
             "kubectl executable"},
            3);
    refused(mesh.sim,
            meshca_cmd(mesh.sim, p.executable, args, {{"PATH", empty_path.path}, {"KUBECTL", ""}}),
            p.command, {"kubectl not found on PATH; install kubectl or pass --kubectl PATH"}, 3);
  }
}

TEST_CASE("a kubeconfig that is missing or cannot be loaded is bad input naming the file, for "
          "every command") {
  SmallMesh mesh;
  const std::string broken = mesh.temp.file("broken.kubeconfig", "apiVersion: v1\nclusters: [\n");
  const std::string wrong_type = mesh.temp.file(
      "wrong.kubeconfig", R"({"apiVersion": "v1", "kind": "Config", "contexts": "x"})");
  for (const Plugin& p : cluster_plugins(mesh.sim, mesh.temp.path + "/backup")) {
    CAPTURE(p.command);
    auto with = [&](std::vector<std::string> extra,
                    std::vector<std::pair<std::string, std::string>> env = {}) {
      std::vector<std::string> args = p.args;
      args.insert(args.end(), extra.begin(), extra.end());
      return meshca_cmd(mesh.sim, p.executable, args, env);
    };
    refused(mesh.sim, with({"--kubeconfig", "/nonexistent/config"}), p.command,
            {"--kubeconfig \"/nonexistent/config\": No such file or directory"});
    refused(mesh.sim, with({"--kubeconfig", broken}), p.command,
            {"kubeconfig \"" + broken + "\" cannot be loaded: yaml", "fix the file"});
    refused(mesh.sim, with({}, {{"KUBECONFIG", wrong_type}}), p.command,
            {"kubeconfig \"" + wrong_type + "\" cannot be loaded", "fix the file"});
  }
}

TEST_CASE("a context, cluster or user the kubeconfig lacks is bad input with a suggestion, for "
          "every command") {
  SmallMesh mesh;
  for (const Plugin& p : cluster_plugins(mesh.sim, mesh.temp.path + "/backup")) {
    CAPTURE(p.command);
    auto with = [&](std::vector<std::string> extra) {
      std::vector<std::string> args = p.args;
      args.insert(args.end(), extra.begin(), extra.end());
      return meshca_cmd(mesh.sim, p.executable, args);
    };
    refused(mesh.sim, with({"--context", "meshca-sin"}), p.command,
            {"--context \"meshca-sin\": the kubeconfig has no context of that name",
             "did you mean \"meshca-sim\"?", "kubectl config get-contexts"});
    refused(mesh.sim, with({"--cluster", "far"}), p.command,
            {"--cluster \"far\"", "kubectl config get-clusters"});
    refused(mesh.sim, with({"--user", "bob"}), p.command,
            {"--user \"bob\"", "kubectl config get-users"});
  }
}

TEST_CASE(
    "check-root with several contexts refuses a context the kubeconfig lacks before reading any") {
  SmallMesh mesh;
  auto r = meshca_cmd(
      mesh.sim, "kubectl-meshca-check_root",
      {"--context", "meshca-sim", "--context", "west", "--meshca-bundle", bundle_url(mesh.sim)});
  refused(
      mesh.sim, r, "check-root",
      {"--context \"west\": the kubeconfig has no context of that name (it holds \"meshca-sim\")"});
  CHECK(r.out.empty()); // nothing was checked
}

TEST_CASE("a label selector the API server cannot parse is bad input for check-root and relabel") {
  SmallMesh mesh;
  refused(mesh.sim,
          meshca_cmd(mesh.sim, "kubectl-meshca-check_root",
                     {"-l", "a b c", "--meshca-bundle", bundle_url(mesh.sim)}),
          "check-root",
          {"-l/--selector \"a b c\": not a label selector the API server accepts",
           "unable to parse requirement"});
  refused(mesh.sim,
          meshca_cmd(mesh.sim, "kubectl-meshca-relabel",
                     {"ns", "--all", "-l", "x in (a", "--revision", "asm-1"}),
          "relabel", {"-l/--selector \"x in (a\"", "unable to parse requirement"});
}
