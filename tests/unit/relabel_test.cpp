// run_relabel against a scripted kubectl: the exact calls, and that refusals, bad input and
// client dry runs send no mutating call.

#include "meshca/cli/common_options.h"
#include "meshca/commands/relabel/relabel.h"
#include "meshca/commands/relabel/relabel_output.h"
#include "recording_kubectl.h"

#include <doctest/doctest.h>
#include <sstream>

using namespace meshca;
using meshca::testing::RecordingKubectl;
using Args = std::vector<std::string>;

namespace {

constexpr const char* kNamespaces = R"({"kind":"NamespaceList","items":[
 {"metadata":{"name":"bookinfo","labels":{"istio-injection":"enabled"}}},
 {"metadata":{"name":"shop","labels":{"istio.io/rev":"asm-1"}}},
 {"metadata":{"name":"moved","labels":{"istio.io/rev":"asm-2"},
   "annotations":{"meshca.kubectl.io/previous-injection-labels":"{\"istio-injection\":\"enabled\"}"}}},
 {"metadata":{"name":"mixed","labels":{"istio-injection":"enabled","istio.io/rev":"asm-1"}}},
 {"metadata":{"name":"plain","labels":{"team":"web"}}},
 {"metadata":{"name":"istio-system","labels":{"istio-injection":"enabled"}}},
 {"metadata":{"name":"kube-system"}}]})";

constexpr const char* kControlPlaneDeployments = R"({"items":[
 {"metadata":{"name":"istiod-asm-1","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-1"}}},
 {"metadata":{"name":"istiod-asm-2","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-2"}}}]})";

constexpr const char* kWebhooks = R"({"items":[
 {"metadata":{"name":"istio-revision-tag-default","labels":{"app":"sidecar-injector","istio.io/rev":"asm-1","istio.io/tag":"default"}},
  "webhooks":[{"namespaceSelector":{"matchLabels":{"istio-injection":"enabled"}}}]}]})";

constexpr const char* kPlainDeployments = R"({"items":[
 {"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}}}}]})";

constexpr const char* kTroubledDeployments = R"({"items":[
 {"metadata":{"name":"pinned"},"spec":{"selector":{"matchLabels":{"app":"p","istio.io/rev":"asm-1"}}}},
 {"metadata":{"name":"frozen"},"spec":{"paused":true,"selector":{"matchLabels":{"app":"f"}}}}]})";

const Args kListNamespaces{"get", "namespaces", "-o", "json"};

// Scripts a cluster: every namespace has istio-ca-root-cert and plain Deployments, except `shop`
// (a pinned and a paused Deployment, no root cert ConfigMap).
void script_cluster(RecordingKubectl& kubectl) {
  kubectl.on_success(kListNamespaces, kNamespaces);
  kubectl.on_success(
      {"get", "deployments", "--all-namespaces", "--selector", "istio.io/rev", "-o", "json"},
      kControlPlaneDeployments);
  kubectl.on_success({"get", "mutatingwebhookconfigurations", "-o", "json"}, kWebhooks);
  kubectl.on_success({"get", "deployments", "-n"}, kPlainDeployments);
  kubectl.on_success({"get", "deployments", "-n", "shop"}, kTroubledDeployments);
  kubectl.on_success({"get", "configmap", "istio-ca-root-cert"}, "configmap/istio-ca-root-cert\n");
  kubectl.on_success({"get", "configmap", "istio-ca-root-cert", "-n", "shop"}, "");
  kubectl.on_success({"patch", "namespace"}, "");
}

RelabelOptions revision(std::vector<std::string> names, std::string rev) {
  RelabelOptions options;
  options.namespaces = std::move(names);
  options.target = {RelabelMode::revision, std::move(rev)};
  return options;
}

std::size_t mutations(const RecordingKubectl& kubectl) {
  return kubectl.count({"patch"});
}

} // namespace

TEST_CASE("relabel: one merge patch per changing namespace, unchanged ones untouched") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  std::ostringstream diagnostics;
  const RelabelReport report =
      run_relabel(kubectl, revision({"bookinfo", "moved"}, "asm-2"), diagnostics);
  CHECK(report.status == ExitStatus::ok);
  CHECK(report.errors.empty());
  const auto patches = kubectl.calls_with({"patch"});
  REQUIRE(patches.size() == 1);
  CHECK(
      patches[0].args ==
      Args{
          "patch", "namespace", "bookinfo", "--type", "merge", "-p",
          R"({"metadata":{"annotations":{"meshca.kubectl.io/previous-injection-labels":"{\"istio-injection\":\"enabled\"}"},)"
          R"("labels":{"istio-injection":null,"istio.io/rev":"asm-2"}}})"});
  REQUIRE(report.namespaces.size() == 2);
  CHECK(report.namespaces[0].outcome == RelabelOutcome::relabeled);
  CHECK(report.namespaces[1].outcome == RelabelOutcome::unchanged);
  CHECK(render_relabel(report, OutputFormat::text) ==
        "namespace/bookinfo relabeled: istio-injection=enabled -> istio.io/rev=asm-2\n"
        "namespace/moved unchanged: istio.io/rev=asm-2\n");
  CHECK(render_relabel(report, OutputFormat::name) == "namespace/bookinfo\nnamespace/moved\n");
  CHECK(render_relabel_next_step(report) ==
        "Next: restart the workloads so they move: kubectl meshca rollout bookinfo\n");
  CHECK(diagnostics.str().empty());
  // Warnings are read only for the namespace that changes.
  CHECK(kubectl.count({"get", "deployments", "-n", "bookinfo"}) == 1);
  CHECK(kubectl.count({"get", "deployments", "-n", "moved"}) == 0);
}

TEST_CASE("relabel: a revision with no control plane is refused and nothing is sent") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  std::ostringstream diagnostics;
  const RelabelReport report =
      run_relabel(kubectl, revision({"bookinfo", "shop"}, "asm-1-19-x"), diagnostics);
  CHECK(report.status == ExitStatus::check_failed);
  REQUIRE(report.errors.size() == 2);
  CHECK(report.errors[0].message ==
        "namespace \"bookinfo\": no control plane for revision \"asm-1-19-x\" in istio-system "
        "(kubectl get deploy -n istio-system -l istio.io/rev); use --force to relabel anyway");
  CHECK(report.namespaces.empty());
  CHECK(mutations(kubectl) == 0);
  std::ostringstream err;
  CHECK(report_error(err, "relabel", report.errors[0]) == 1);
  CHECK(err.str().find("kubectl meshca relabel: error: namespace \"bookinfo\": no control plane") ==
        0);
}

TEST_CASE("relabel: --force skips the control-plane check and patches") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  RelabelOptions options = revision({"bookinfo"}, "asm-1-19-x");
  options.force = Force::yes;
  std::ostringstream diagnostics;
  const RelabelReport report = run_relabel(kubectl, options, diagnostics);
  CHECK(report.status == ExitStatus::ok);
  CHECK(mutations(kubectl) == 1);
  CHECK_FALSE(kubectl.called({"get", "mutatingwebhookconfigurations"}));
}

TEST_CASE("relabel: an unknown namespace is bad input and no namespace is changed") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  std::ostringstream diagnostics;
  const RelabelReport report =
      run_relabel(kubectl, revision({"bookinfo", "nope"}, "asm-2"), diagnostics);
  CHECK(report.status == ExitStatus::bad_input);
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors[0].message.find("namespace \"nope\": not found") == 0);
  CHECK(mutations(kubectl) == 0);
}

TEST_CASE("relabel: a namespace with both labels is refused unless forced") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  std::ostringstream diagnostics;
  const RelabelReport refused =
      run_relabel(kubectl, revision({"mixed", "bookinfo"}, "asm-2"), diagnostics);
  CHECK(refused.status == ExitStatus::check_failed);
  CHECK(mutations(kubectl) == 0);
  RelabelOptions forced = revision({"mixed"}, "asm-2");
  forced.force = Force::yes;
  const RelabelReport report = run_relabel(kubectl, forced, diagnostics);
  CHECK(report.status == ExitStatus::ok);
  CHECK(mutations(kubectl) == 1);
  CHECK(diagnostics.str().find("kubectl meshca relabel: warning: namespace \"mixed\": has both") ==
        0);
}

TEST_CASE("relabel: dry runs print the change, client sends nothing, server sends dryRun") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  RelabelOptions options = revision({"bookinfo"}, "asm-2");
  options.dry_run = DryRun::client;
  std::ostringstream diagnostics;
  const RelabelReport client = run_relabel(kubectl, options, diagnostics);
  CHECK(client.status == ExitStatus::ok);
  CHECK(mutations(kubectl) == 0);
  CHECK(render_relabel(client, OutputFormat::text) ==
        "namespace/bookinfo relabeled: istio-injection=enabled -> istio.io/rev=asm-2 (dry run)\n"
        "  kubectl patch namespace bookinfo --type merge -p "
        "'{\"metadata\":{\"annotations\":{\"meshca.kubectl.io/previous-injection-labels\":"
        "\"{\\\"istio-injection\\\":\\\"enabled\\\"}\"},"
        "\"labels\":{\"istio-injection\":null,\"istio.io/rev\":\"asm-2\"}}}'\n");
  CHECK(render_relabel(client, OutputFormat::name) == "namespace/bookinfo\n");
  CHECK(render_relabel_next_step(client).empty());

  options.dry_run = DryRun::server;
  const RelabelReport server = run_relabel(kubectl, options, diagnostics);
  CHECK(server.status == ExitStatus::ok);
  const auto patches = kubectl.calls_with({"patch"});
  REQUIRE(patches.size() == 1);
  CHECK(patches[0].args.back() == "--dry-run=server");
  CHECK(render_relabel(server, OutputFormat::text).find("(server dry run)") != std::string::npos);
}

TEST_CASE("relabel: warnings about the restart are printed before the patch") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  std::ostringstream diagnostics;
  const RelabelReport report = run_relabel(kubectl, revision({"shop"}, "asm-2"), diagnostics);
  CHECK(report.status == ExitStatus::ok);
  const std::string text = diagnostics.str();
  CHECK(text.find("namespace \"shop\": has no istio-ca-root-cert ConfigMap") != std::string::npos);
  CHECK(text.find("deployment/pinned selects its pods by istio.io/rev") != std::string::npos);
  CHECK(text.find("deployment/frozen is paused") != std::string::npos);
  CHECK(report.warnings.size() == 3);
  REQUIRE(report.namespaces.size() == 1);
  CHECK(report.namespaces[0].change.warnings.size() == 3);
  // The warning reads come before the patch.
  const auto calls = kubectl.calls();
  REQUIRE_FALSE(calls.empty());
  CHECK(calls.back().args[0] == "patch");
}

TEST_CASE("relabel: --all picks injected namespaces, never system ones, never uninjected ones") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  RelabelOptions options;
  options.all = true;
  options.target = {RelabelMode::revision, "asm-2"};
  options.force = Force::yes; // `mixed` has both labels
  std::ostringstream diagnostics;
  const RelabelReport report = run_relabel(kubectl, options, diagnostics);
  CHECK(report.status == ExitStatus::ok);
  Args patched;
  for (const auto& call : kubectl.calls_with({"patch"}))
    patched.push_back(call.args[2]);
  std::sort(patched.begin(), patched.end());
  CHECK(patched == Args{"bookinfo", "mixed", "shop"}); // `moved` is already there
}

TEST_CASE("relabel: -l asks the cluster which namespaces match") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  kubectl.on_success({"get", "namespaces", "--selector", "team=web", "-o", "json"},
                     R"({"items":[{"metadata":{"name":"plain","labels":{"team":"web"}}}]})");
  RelabelOptions options;
  options.selector = "team=web";
  options.target = {RelabelMode::revision, "asm-2"};
  std::ostringstream diagnostics;
  const RelabelReport report = run_relabel(kubectl, options, diagnostics);
  CHECK(report.status == ExitStatus::ok);
  REQUIRE(kubectl.count({"patch", "namespace", "plain"}) == 1);
  CHECK(diagnostics.str().find("has no sidecar injection now") != std::string::npos);
}

TEST_CASE("relabel: --undo restores the recorded labels") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  RelabelOptions options;
  options.namespaces = {"moved"};
  options.target = {RelabelMode::undo, {}};
  std::ostringstream diagnostics;
  const RelabelReport report = run_relabel(kubectl, options, diagnostics);
  CHECK(report.status == ExitStatus::ok);
  const auto patches = kubectl.calls_with({"patch"});
  REQUIRE(patches.size() == 1);
  CHECK(patches[0].args[6] ==
        R"({"metadata":{"labels":{"istio-injection":"enabled","istio.io/rev":null}}})");
  options.namespaces = {"moved", "bookinfo"}; // bookinfo has no record: nothing is sent
  kubectl.clear_calls();
  const RelabelReport refused = run_relabel(kubectl, options, diagnostics);
  CHECK(refused.status == ExitStatus::check_failed);
  CHECK(mutations(kubectl) == 0);
}

TEST_CASE("relabel: cluster failures are exit 3, a failed patch does not stop the others") {
  SUBCASE("listing namespaces fails") {
    RecordingKubectl kubectl;
    script_cluster(kubectl);
    kubectl.on_failure(kListNamespaces,
                       "error: You must be logged in to the server (Unauthorized)\n");
    std::ostringstream diagnostics;
    const RelabelReport report = run_relabel(kubectl, revision({"bookinfo"}, "asm-2"), diagnostics);
    CHECK(report.status == ExitStatus::cluster_error);
    REQUIRE(report.errors.size() == 1);
    CHECK(report.errors[0].message.find("listing namespaces: You must be logged in") == 0);
    CHECK(mutations(kubectl) == 0);
  }
  SUBCASE("reading a namespace's Deployments fails: nothing is changed") {
    RecordingKubectl kubectl;
    script_cluster(kubectl);
    kubectl.on_failure({"get", "deployments", "-n", "bookinfo"},
                       "Error from server (Forbidden): nope\n");
    std::ostringstream diagnostics;
    const RelabelReport report =
        run_relabel(kubectl, revision({"bookinfo", "shop"}, "asm-2"), diagnostics);
    CHECK(report.status == ExitStatus::cluster_error);
    CHECK(mutations(kubectl) == 0);
  }
  SUBCASE("one patch fails") {
    RecordingKubectl kubectl;
    script_cluster(kubectl);
    kubectl.on_failure({"patch", "namespace", "bookinfo"},
                       "Error from server (InternalError): boom\n");
    std::ostringstream diagnostics;
    const RelabelReport report =
        run_relabel(kubectl, revision({"bookinfo", "shop"}, "asm-2"), diagnostics);
    CHECK(report.status == ExitStatus::cluster_error);
    CHECK(mutations(kubectl) == 2);
    REQUIRE(report.errors.size() == 1);
    CHECK(report.errors[0].message.find("namespace \"bookinfo\": patching its labels") == 0);
    CHECK(render_relabel(report, OutputFormat::name) == "namespace/shop\n");
    CHECK(render_relabel(report, OutputFormat::json).find("\"result\": \"failed\"") !=
          std::string::npos);
  }
}

TEST_CASE("relabel: the json report") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  std::ostringstream diagnostics;
  const RelabelReport report = run_relabel(kubectl, revision({"bookinfo"}, "asm-2"), diagnostics);
  const std::string json = render_relabel(report, OutputFormat::json);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["dryRun"].GetString()) == "none");
  CHECK(std::string(doc["target"]["mode"].GetString()) == "revision");
  CHECK(std::string(doc["target"]["revision"].GetString()) == "asm-2");
  const auto& entry = doc["namespaces"][0];
  CHECK(std::string(entry["name"].GetString()) == "bookinfo");
  CHECK(std::string(entry["result"].GetString()) == "relabeled");
  CHECK(std::string(entry["before"]["istio-injection"].GetString()) == "enabled");
  CHECK(std::string(entry["after"]["istio.io/rev"].GetString()) == "asm-2");
  CHECK(entry["patch"]["metadata"]["labels"]["istio-injection"].IsNull());
  CHECK(entry["warnings"].IsArray());
  CHECK(doc["errors"].Empty());
}
