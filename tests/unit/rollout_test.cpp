// run_rollout against a scripted kubectl: the exact restart and wait calls, what a dry run sends,
// refusals before any restart, and the proof over the pods read afterwards.

#include "meshca/commands/rollout/rollout.h"
#include "meshca/commands/rollout/rollout_output.h"
#include "recording_kubectl.h"

#include <doctest/doctest.h>

using namespace meshca;
using meshca::testing::RecordedCall;
using meshca::testing::RecordingKubectl;
using Args = std::vector<std::string>;

namespace {

constexpr const char* kNamespaces = R"({"items":[
 {"metadata":{"name":"shop","labels":{"istio.io/rev":"asm-2"}}},
 {"metadata":{"name":"bookinfo","labels":{"istio-injection":"enabled"}}},
 {"metadata":{"name":"plain"}},
 {"metadata":{"name":"gone","labels":{"istio.io/rev":"asm-0"}}}]})";

constexpr const char* kControlPlane = R"({"items":[
 {"metadata":{"name":"istiod-asm-1","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-1"}}},
 {"metadata":{"name":"istiod-asm-2","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-2"}}},
 {"metadata":{"name":"gw-2","namespace":"istio-system","labels":{"app":"gw-2","istio.io/rev":"asm-2"}}},
 {"metadata":{"name":"gw-1","namespace":"istio-system","labels":{"app":"gw-1","istio.io/rev":"asm-1"}}}]})";

constexpr const char* kWebhooks = R"({"items":[
 {"metadata":{"name":"istio-revision-tag-default","labels":{"app":"sidecar-injector","istio.io/rev":"asm-1","istio.io/tag":"default"}},
  "webhooks":[{"namespaceSelector":{"matchLabels":{"istio-injection":"enabled"}}}]}]})";

constexpr const char* kShopWorkloads = R"({"kind":"List","items":[
 {"kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{}},
 {"kind":"Deployment","metadata":{"name":"frozen","namespace":"shop"},"spec":{"paused":true}},
 {"kind":"StatefulSet","metadata":{"name":"redis","namespace":"shop"},"spec":{"updateStrategy":{"type":"OnDelete"}}},
 {"kind":"DaemonSet","metadata":{"name":"agent","namespace":"shop"},"spec":{}}]})";

std::string pod(const std::string& name, const std::string& owner_kind, const std::string& owner,
                const std::string& hash, const std::string& revision) {
  const std::string refs = owner_kind.empty()
                               ? ""
                               : R"(,"ownerReferences":[{"kind":")" + owner_kind + R"(","name":")" +
                                     owner + R"(","controller":true}])";
  return R"({"metadata":{"name":")" + name + R"(","labels":{"pod-template-hash":")" + hash +
         R"("},"annotations":{"istio.io/rev":")" + revision + R"("})" + refs +
         R"(},"spec":{"containers":[{"name":"app"},{"name":"istio-proxy"}]},"status":{"phase":"Running"}})";
}

// After the rollout: web and agent moved; frozen (paused) and redis (OnDelete) did not.
std::string shop_pods(const std::string& web_revision = "asm-2") {
  return R"({"items":[)" + pod("web-5d-a", "ReplicaSet", "web-5d", "5d", web_revision) + "," +
         pod("frozen-7f-a", "ReplicaSet", "frozen-7f", "7f", "asm-1") + "," +
         pod("redis-0", "StatefulSet", "redis", "", "asm-1") + "," +
         pod("agent-x", "DaemonSet", "agent", "", "asm-2") + "]}";
}

void script_cluster(RecordingKubectl& kubectl) {
  kubectl.on_success({"get", "namespaces", "-o", "json"}, kNamespaces);
  kubectl.on_success(
      {"get", "deployments", "--all-namespaces", "--selector", "istio.io/rev", "-o", "json"},
      kControlPlane);
  kubectl.on_success({"get", "mutatingwebhookconfigurations", "-o", "json"}, kWebhooks);
  kubectl.on_success({"get", "deployments,statefulsets,daemonsets", "-n", "shop"}, kShopWorkloads);
  kubectl.on_success({"get", "deployments,statefulsets,daemonsets", "-n", "bookinfo"},
                     R"({"kind":"List","items":[]})");
  kubectl.on_success({"get", "pods", "-n", "shop"}, shop_pods());
  kubectl.on_success({"get", "pods", "-n", "bookinfo"}, R"({"items":[]})");
  kubectl.on_success({"patch"}, "patched\n");
  kubectl.on_success({"rollout", "status"}, "successfully rolled out\n");
}

// The restart mechanics are tested with --restart-all: the scripted pods show the state after
// the restarts, which would otherwise make workloads look settled beforehand. Which workloads are
// restarted without it is tested below ("restarts only what has not moved").
RolloutOptions options_for(std::vector<std::string> namespaces) {
  RolloutOptions options;
  options.namespaces = std::move(namespaces);
  options.timeout = std::chrono::seconds(42);
  options.restart_all = true;
  return options;
}

// The restart patches sent, as "KIND/NAME -n NS" (plus the dry-run flag), sorted.
Args restarts(const RecordingKubectl& kubectl) {
  Args out;
  for (const auto& call : kubectl.calls_with({"patch"})) {
    REQUIRE(call.args.size() >= 9);
    CHECK(call.args[5] == "--type");
    CHECK(call.args[6] == "strategic");
    CHECK(
        call.args[8].find(
            R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":")") ==
        0);
    std::string line = call.args[1] + "/" + call.args[2] + " " + call.args[3] + " " + call.args[4];
    for (std::size_t i = 9; i < call.args.size(); ++i)
      line += " " + call.args[i];
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Args lines(const std::vector<RecordedCall>& calls) {
  Args out;
  for (const auto& call : calls)
    out.push_back(call.line());
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST_CASE(
    "rollout: restarts and waits for each workload, skips paused and OnDelete, proves the pods") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  const RolloutReport report = run_rollout(kubectl, options_for({"shop"}));
  CHECK(restarts(kubectl) == Args{"daemonset/agent -n shop", "deployment/web -n shop"});
  CHECK(lines(kubectl.calls_with({"rollout", "status"})) ==
        Args{"rollout status daemonset/agent -n shop --timeout=42s",
             "rollout status deployment/web -n shop --timeout=42s"});
  for (const auto& call : kubectl.calls_with({"rollout", "status"}))
    CHECK(call.timeout > std::chrono::seconds(42)); // kubectl ends the wait itself
  CHECK(report.status == ExitStatus::check_failed);
  REQUIRE(report.scopes.size() == 1);
  const RolloutScope& shop = report.scopes[0];
  CHECK(shop.revision == "asm-2");
  CHECK(shop.proof.moved == 2);
  REQUIRE(shop.proof.not_moved.size() == 2);
  const std::string text = render_rollout(report, OutputFormat::text);
  CHECK(text.find("namespace shop (istio.io/rev=asm-2): revision asm-2\n") == 0);
  CHECK(text.find("  deployment/web      restarted, rollout complete\n") != std::string::npos);
  CHECK(text.find("deployment/frozen   skipped: paused Deployment") != std::string::npos);
  CHECK(text.find("Did not move:\n") != std::string::npos);
  CHECK(text.find("shop: statefulset/redis (OnDelete StatefulSet (not restarted)): redis-0 (on "
                  "asm-1); want asm-2") != std::string::npos);
  CHECK(text.find("kubectl delete pod -n shop redis-0") != std::string::npos);
  CHECK(text.find("shop: deployment/frozen (paused Deployment (not restarted))") !=
        std::string::npos);
}

TEST_CASE("rollout: everything moved exits 0, --kinds narrows the list") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  kubectl.on_success(
      {"get", "deployments", "-n", "shop", "-o", "json"},
      R"({"kind":"DeploymentList","items":[{"metadata":{"name":"web","namespace":"shop"},"spec":{}}]})");
  kubectl.on_success({"get", "deployments", "-n", "bookinfo", "-o", "json"},
                     R"({"kind":"DeploymentList","items":[]})");
  kubectl.on_success({"get", "pods", "-n", "shop"},
                     R"({"items":[)" + pod("web-5d-a", "ReplicaSet", "web-5d", "5d", "asm-2") +
                         "]}");
  RolloutOptions options = options_for({"shop", "bookinfo"});
  options.kinds = {WorkloadKind::deployment};
  const RolloutReport report = run_rollout(kubectl, options);
  CHECK(report.status == ExitStatus::ok);
  CHECK(report.errors.empty());
  CHECK(report.not_moved_count() == 0);
  CHECK(kubectl.count({"get", "deployments,statefulsets,daemonsets"}) == 0);
  CHECK(kubectl.count({"get", "deployments", "-n", "shop"}) == 1);
  CHECK(restarts(kubectl) == Args{"deployment/web -n shop"});
  REQUIRE(report.scopes.size() == 2);
  CHECK(report.scopes[1].revision == "asm-1"); // istio-injection=enabled: the default tag
  const std::string text = render_rollout(report, OutputFormat::text);
  CHECK(text.find("Every running sidecar pod carries its namespace's revision.") !=
        std::string::npos);
  CHECK(text.find("namespace bookinfo (istio-injection=enabled): revision asm-1\n  no workloads to "
                  "restart\n") != std::string::npos);
}

TEST_CASE("rollout: a client dry run sends no restart, a server dry run sends them with dryRun and "
          "waits for none") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  kubectl.on_success({"get", "pods", "-n", "shop"}, shop_pods("asm-1"));
  RolloutOptions options = options_for({"shop"});
  options.dry_run = DryRun::client;
  const RolloutReport client = run_rollout(kubectl, options);
  CHECK(client.status == ExitStatus::ok);
  CHECK(kubectl.count({"patch"}) == 0);
  CHECK(kubectl.count({"rollout"}) == 0);
  REQUIRE(client.scopes.size() == 1);
  CHECK(client.scopes[0].proof.will_move == 1); // web
  CHECK(client.scopes[0].proof.not_moved.size() == 2);
  const std::string text = render_rollout(client, OutputFormat::text);
  CHECK(text.find("deployment/web      would restart (dry run)") != std::string::npos);
  CHECK(text.find("Will not move:") != std::string::npos);

  options.dry_run = DryRun::server;
  const RolloutReport server = run_rollout(kubectl, options);
  CHECK(server.status == ExitStatus::ok);
  CHECK(restarts(kubectl) == Args{"daemonset/agent -n shop --dry-run=server",
                                  "deployment/web -n shop --dry-run=server"});
  CHECK(kubectl.count({"rollout", "status"}) == 0);
}

TEST_CASE(
    "rollout: --no-wait restarts without waiting and exits 1 only for pods no restart moves") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  kubectl.on_success({"get", "pods", "-n", "shop"}, shop_pods("asm-1"));
  RolloutOptions options = options_for({"shop"});
  options.wait = false;
  const RolloutReport report = run_rollout(kubectl, options);
  CHECK(kubectl.count({"patch"}) == 2);
  CHECK(kubectl.count({"rollout", "status"}) == 0);
  CHECK(report.status == ExitStatus::check_failed); // frozen and redis
  CHECK(describe_state(report.scopes[0].workloads[1], DryRun::none) ==
        "restarted (not waited for)");
}

TEST_CASE("rollout: unknown and unserved namespaces are refused before any restart") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  const RolloutReport unknown = run_rollout(kubectl, options_for({"shop", "nope"}));
  CHECK(unknown.status == ExitStatus::bad_input);
  REQUIRE(unknown.errors.size() == 1);
  CHECK(unknown.errors[0].message.find("namespace \"nope\": not found") == 0);
  const RolloutReport plain = run_rollout(kubectl, options_for({"shop", "plain", "gone"}));
  CHECK(plain.status == ExitStatus::check_failed);
  REQUIRE(plain.errors.size() == 2);
  CHECK(plain.errors[0].message.find("namespace \"plain\" has no sidecar injection label") == 0);
  CHECK(plain.errors[1].message.find("no control plane for revision \"asm-0\"") !=
        std::string::npos);
  CHECK(kubectl.count({"patch"}) == 0);
  CHECK(kubectl.count({"get", "deployments,statefulsets,daemonsets"}) == 0);
}

TEST_CASE("rollout: a rollout that times out is listed and exits 1, a failed restart exits 3") {
  SUBCASE("timeout") {
    RecordingKubectl kubectl;
    script_cluster(kubectl);
    kubectl.on_failure({"rollout", "status", "deployment/web"},
                       "error: timed out waiting for the condition\n");
    kubectl.on_success({"get", "pods", "-n", "shop"}, shop_pods("asm-1"));
    const RolloutReport report = run_rollout(kubectl, options_for({"shop"}));
    CHECK(report.status == ExitStatus::check_failed);
    CHECK(report.errors.empty());
    const std::string text = render_rollout(report, OutputFormat::text);
    CHECK(text.find("deployment/web      restarted, rollout timed out: timed out waiting for the "
                    "condition") != std::string::npos);
    CHECK(text.find("shop: deployment/web (rollout timed out): web-5d-a (on asm-1)") !=
          std::string::npos);
  }
  SUBCASE("restart fails") {
    RecordingKubectl kubectl;
    script_cluster(kubectl);
    kubectl.on_failure({"patch", "deployment", "web"}, "Error from server (Forbidden): no\n");
    const RolloutReport report = run_rollout(kubectl, options_for({"shop"}));
    CHECK(report.status == ExitStatus::cluster_error);
    REQUIRE(report.errors.size() == 1);
    CHECK(report.errors[0].message.find("restarting deployment/web in namespace shop") == 0);
    CHECK(kubectl.count({"patch", "daemonset", "agent"}) == 1); // the others go on
  }
  SUBCASE("the workload list cannot be read: nothing is restarted") {
    RecordingKubectl kubectl;
    script_cluster(kubectl);
    kubectl.on_failure({"get", "deployments,statefulsets,daemonsets", "-n", "bookinfo"}, "boom\n");
    const RolloutReport report = run_rollout(kubectl, options_for({"shop", "bookinfo"}));
    CHECK(report.status == ExitStatus::cluster_error);
    CHECK(kubectl.count({"patch"}) == 0);
  }
}

TEST_CASE("rollout: --gateways restarts the istio-system gateways of the namespaces' revisions") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  kubectl.on_success(
      {"get", "deployments", "-n", "istio-system", "-o", "json"},
      R"({"kind":"DeploymentList","items":[{"metadata":{"name":"gw-2","namespace":"istio-system"},"spec":{}},
                         {"metadata":{"name":"gw-1","namespace":"istio-system"},"spec":{}},
                         {"metadata":{"name":"istiod-asm-2","namespace":"istio-system"},"spec":{}}]})");
  kubectl.on_success({"get", "pods", "-n", "istio-system"},
                     R"({"items":[)" + pod("gw-2-6c-a", "ReplicaSet", "gw-2-6c", "6c", "asm-2") +
                         "," + pod("gw-1-6c-a", "ReplicaSet", "gw-1-6c", "6c", "asm-1") + "]}");
  kubectl.on_success(
      {"get", "daemonsets", "-n", "shop", "-o", "json"},
      R"({"kind":"DaemonSetList","items":[{"metadata":{"name":"agent","namespace":"shop"},"spec":{}}]})");
  RolloutOptions options = options_for({"shop"});
  options.kinds = {WorkloadKind::daemonset};
  options.gateways = true;
  const RolloutReport report = run_rollout(kubectl, options);
  CHECK(restarts(kubectl) == Args{"daemonset/agent -n shop", "deployment/gw-2 -n istio-system"});
  REQUIRE(report.scopes.size() == 2);
  CHECK(report.scopes[1].gateways);
  CHECK(report.scopes[1].proof.moved == 1);
  CHECK(report.scopes[1].proof.not_moved.empty());
  CHECK(render_rollout(report, OutputFormat::text)
            .find("gateways of revision asm-2 in istio-system\n") != std::string::npos);
}

TEST_CASE("rollout: the json report") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  const RolloutReport report = run_rollout(kubectl, options_for({"shop"}));
  const std::string json = render_rollout(report, OutputFormat::json);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["dryRun"].GetString()) == "none");
  CHECK(doc["wait"].GetBool());
  CHECK(std::string(doc["proof"].GetString()) == "checked");
  CHECK_FALSE(doc["moved"].GetBool());
  const auto& scope = doc["scopes"][0];
  CHECK(std::string(scope["namespace"].GetString()) == "shop");
  CHECK(std::string(scope["revision"].GetString()) == "asm-2");
  CHECK(scope["pods"]["moved"].GetUint64() == 2);
  CHECK(scope["workloads"].Size() == 4);
  const auto& not_moved = doc["notMoved"];
  REQUIRE(not_moved.Size() == 2);
  CHECK(std::string(not_moved[0]["owner"]["kind"].GetString()) == "Deployment");
  CHECK(std::string(not_moved[0]["owner"]["name"].GetString()) == "frozen");
  CHECK(std::string(not_moved[0]["pods"][0]["revision"].GetString()) == "asm-1");
  CHECK(std::string(not_moved[1]["reason"].GetString()) == "OnDelete StatefulSet (not restarted)");
}

TEST_CASE("rollout: the restart patch is kubectl rollout restart's, with the dry-run flag") {
  const Workload web{WorkloadKind::statefulset, "shop", "cart", false, false, false};
  CHECK(
      restart_patch_args(web.object(), DryRun::none, "2025-01-31T12:00:00Z") ==
      Args{
          "patch", "statefulset", "cart", "-n", "shop", "--type", "strategic", "-p",
          R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2025-01-31T12:00:00Z"}}}}})"});
  CHECK(restart_patch_args(web.object(), DryRun::server, "t").back() == "--dry-run=server");
  CHECK(rollout_status_args(web.object(), std::chrono::seconds(90)) ==
        Args{"rollout", "status", "statefulset/cart", "-n", "shop", "--timeout=90s"});
  CHECK(format_restarted_at(std::chrono::system_clock::time_point(
            std::chrono::seconds(1738324800))) == "2025-01-31T12:00:00Z");
}

TEST_CASE(
    "rollout restarts only what has not moved: already on the revision, no sidecar by choice") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  // Before: web has one pod on the old revision; agent is on asm-2; batch opts out of injection.
  const std::string opted_out =
      R"({"metadata":{"name":"batch-6c-a","labels":{"pod-template-hash":"6c","sidecar.istio.io/inject":"false"},)"
      R"("ownerReferences":[{"kind":"ReplicaSet","name":"batch-6c","controller":true}]},)"
      R"("spec":{"containers":[{"name":"app"}]},"status":{"phase":"Running"}})";
  kubectl.on_success({"get", "deployments,statefulsets,daemonsets", "-n", "shop"},
                     R"({"kind":"List","items":[
 {"kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{}},
 {"kind":"Deployment","metadata":{"name":"batch","namespace":"shop"},"spec":{}},
 {"kind":"DaemonSet","metadata":{"name":"agent","namespace":"shop"},"spec":{}}]})");
  bool restarted = false;
  kubectl.on({"patch"}, [&restarted](const RecordedCall&) {
    restarted = true;
    ProcessOutput output;
    output.exit_code = 0;
    return Result<ProcessOutput>(output);
  });
  kubectl.on({"get", "pods", "-n", "shop"}, [&](const RecordedCall&) {
    ProcessOutput output;
    output.exit_code = 0;
    output.out = R"({"items":[)" +
                 pod("web-5d-a", "ReplicaSet", "web-5d", "5d", restarted ? "asm-2" : "asm-1") +
                 "," + pod("web-5d-b", "ReplicaSet", "web-5d", "5d", "asm-2") + "," +
                 pod("agent-x", "DaemonSet", "agent", "", "asm-2") + "," + opted_out + "]}";
    return Result<ProcessOutput>(output);
  });
  RolloutOptions options = options_for({"shop"});
  options.restart_all = false;
  const RolloutReport first = run_rollout(kubectl, options);
  CHECK(first.status == ExitStatus::ok);
  CHECK(restarts(kubectl) == Args{"deployment/web -n shop"});
  const std::string text = render_rollout(first, OutputFormat::text);
  CHECK(text.find("  deployment/batch   no sidecar by choice\n") != std::string::npos);
  CHECK(text.find("  daemonset/agent    already on asm-2\n") != std::string::npos);
  CHECK(text.find("  deployment/web     restarted, rollout complete\n") != std::string::npos);
  const std::string json = render_rollout(first, OutputFormat::json);
  CHECK(json.find(R"("skipReason": "alreadyOnRevision")") != std::string::npos);
  CHECK(json.find(R"("skipReason": "noSidecarByChoice")") != std::string::npos);

  // A second run: everything is on asm-2, nothing is restarted; the proof still runs.
  kubectl.clear_calls();
  const RolloutReport second = run_rollout(kubectl, options);
  CHECK(second.status == ExitStatus::ok);
  CHECK(kubectl.count({"patch"}) == 0);
  CHECK(kubectl.count({"rollout", "status"}) == 0);
  CHECK(second.scopes.at(0).proof.moved == 3);

  // --restart-all restarts every selected workload, the opted-out one too.
  kubectl.clear_calls();
  options.restart_all = true;
  const RolloutReport all = run_rollout(kubectl, options);
  CHECK(restarts(kubectl) ==
        Args{"daemonset/agent -n shop", "deployment/batch -n shop", "deployment/web -n shop"});
  CHECK(all.status == ExitStatus::ok);
}

TEST_CASE(
    "rollout: the trust gate refuses before any restart, --force overrides it with warnings") {
  RecordingKubectl kubectl;
  script_cluster(kubectl);
  kubectl.on_success({"get", "pods", "-n", "shop"}, shop_pods("asm-1"));
  std::vector<std::string> asked;
  RolloutOptions options = options_for({"shop"});
  options.restart_all = false;
  options.trust_gate = [&asked](const std::string& revision) -> Result<TrustGateVerdict> {
    asked.push_back(revision);
    TrustGateVerdict verdict;
    verdict.target = {revision, {false, true}, {true, true}, "its configuration"};
    verdict.distrust_target = {{"", "bookinfo", "asm-1", 4, "trust [CITADEL]"}};
    verdict.root_distributing = "asm-1b";
    return verdict;
  };
  const RolloutReport refused = run_rollout(kubectl, options);
  CHECK(asked == std::vector<std::string>{"asm-2"});
  CHECK(refused.status == ExitStatus::check_failed);
  REQUIRE(refused.errors.size() == 1);
  const std::string& message = refused.errors[0].message;
  CHECK(message.find("moving namespace shop to revision asm-2 is refused") == 0);
  CHECK(message.find("namespace bookinfo (revision asm-1): 4 sidecars trust [CITADEL]") !=
        std::string::npos);
  CHECK(message.find("kubectl meshca relabel ns bookinfo --revision asm-1b -o name | kubectl "
                     "meshca rollout -") != std::string::npos);
  CHECK(message.find("Use --force") != std::string::npos);
  CHECK(kubectl.count({"patch"}) == 0);

  options.force = Force::yes;
  const RolloutReport forced = run_rollout(kubectl, options);
  CHECK(forced.errors.empty());
  REQUIRE(forced.warnings.size() == 1);
  CHECK(forced.warnings[0].find(
            "--force: moving namespace shop to asm-2 although namespace bookinfo") == 0);
  CHECK(restarts(kubectl) == Args{"deployment/web -n shop"}); // agent is already on asm-2
}
