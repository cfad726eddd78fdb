#include "meshca/commands/prune_revision/prune_revision.h"
#include "meshca/commands/prune_revision/prune_revision_cli.h"
#include "meshca/commands/prune_revision/prune_revision_plan.h"
#include "recording_kubectl.h"

#include <doctest/doctest.h>
#include <sstream>

namespace {

using meshca::testing::RecordedCall;
using meshca::testing::RecordingKubectl;

std::string deployment(const std::string& ns, const std::string& name, const std::string& rev,
                       const std::string& app) {
  return R"({"kind":"Deployment","metadata":{"name":")" + name + R"(","namespace":")" + ns +
         R"(","labels":{"app":")" + app + R"(","istio.io/rev":")" + rev +
         R"("}},"spec":{"replicas":1},"status":{"readyReplicas":1}})";
}

std::string webhook(const std::string& name, const std::string& rev, const std::string& tag,
                    const std::string& service, bool injection_label) {
  std::string labels = R"("app":"sidecar-injector","istio.io/rev":")" + rev + "\"";
  if (!tag.empty())
    labels += R"(,"istio.io/tag":")" + tag + "\"";
  const std::string selector =
      injection_label
          ? R"(,"namespaceSelector":{"matchExpressions":[{"key":"istio-injection","operator":"In","values":["enabled"]}]})"
          : "";
  return R"({"metadata":{"name":")" + name + R"(","labels":{)" + labels +
         R"(}},"webhooks":[{"name":"namespace.sidecar-injector.istio.io","clientConfig":{"service":{"name":")" +
         service + R"(","namespace":"istio-system"}})" + selector + "}]}";
}

std::string ns(const std::string& name, const std::string& labels) {
  return R"({"metadata":{"name":")" + name + R"(","labels":{)" + labels + "}}}";
}

std::string pod(const std::string& ns_name, const std::string& name, const std::string& rev,
                const std::string& owner = "ReplicaSet",
                const std::string& owner_name = "app-5d8f") {
  return R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns_name +
         R"(","annotations":{"istio.io/rev":")" + rev + R"("},"ownerReferences":[{"kind":")" +
         owner + R"(","name":")" + owner_name +
         R"("}]},"spec":{"containers":[{"name":"app"},{"name":"istio-proxy"}]},)"
         R"("status":{"phase":"Running"}})";
}

std::string list(const std::vector<std::string>& items) {
  std::string out = R"({"kind":"List","items":[)";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? "," : "") + items[i];
  return out + "]}";
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

const std::string kIstiodObjects = list(
    {R"({"kind":"Service","metadata":{"name":"istiod-asm-1","namespace":"istio-system"}})",
     R"({"kind":"Deployment","metadata":{"name":"istiod-asm-1","namespace":"istio-system"}})",
     R"({"kind":"HorizontalPodAutoscaler","metadata":{"name":"istiod-asm-1","namespace":"istio-system"}})",
     R"({"kind":"PodDisruptionBudget","metadata":{"name":"istiod-asm-1","namespace":"istio-system"}})"});
const std::string kOperators = list(
    {R"({"kind":"IstioOperator","metadata":{"name":"installed-state-asm-1","namespace":"istio-system"},"spec":{"revision":"asm-1"}})",
     R"({"kind":"IstioOperator","metadata":{"name":"installed-state-asm-2","namespace":"istio-system"},"spec":{"revision":"asm-2"}})"});

// A cluster mid-migration: asm-1 (old, with a gateway and the default tag) and asm-2.
struct Cluster {
  std::vector<std::string> deployments = {
      deployment("istio-system", "istiod-asm-1", "asm-1", "istiod"),
      deployment("istio-system", "istiod-asm-2", "asm-2", "istiod"),
      deployment("istio-system", "istio-ingressgateway", "asm-1", "istio-ingressgateway")};
  std::vector<std::string> webhooks = {
      webhook("istio-sidecar-injector-asm-1", "asm-1", "", "istiod-asm-1", false),
      webhook("istio-sidecar-injector-asm-2", "asm-2", "", "istiod-asm-2", false)};
  std::vector<std::string> namespaces = {ns("shop", R"("istio.io/rev":"asm-2")"), ns("plain", "")};
  std::vector<std::string> pods = {pod("shop", "web-1", "asm-2"),
                                   pod("istio-system", "istio-ingressgateway-7c9-abc", "asm-1",
                                       "ReplicaSet", "istio-ingressgateway-7c9")};

  meshca::PrunePlan plan(const char* revision = "asm-1") const {
    const auto d = parse(list(deployments)), w = parse(list(webhooks)), n = parse(list(namespaces)),
               p = parse(list(pods)), i = parse(kIstiodObjects), o = parse(kOperators);
    const meshca::ControlPlane plane = meshca::parse_control_plane(d, w);
    const auto sidecars = meshca::select_sidecar_pods(p, false);
    REQUIRE(sidecars);
    return meshca::plan_prune(revision, {plane, n, *sidecars, i, &o});
  }

  void script(RecordingKubectl& kubectl) const {
    kubectl.on_success({"get", "deployments", "--all-namespaces"}, list(deployments));
    kubectl.on_success({"get", "mutatingwebhookconfigurations"}, list(webhooks));
    kubectl.on_success({"get", "namespaces"}, list(namespaces));
    kubectl.on_success({"get", "--raw", "/api/v1/pods?limit=500"}, list(pods)); // one page
    kubectl.on_success(
        {"get", "service,deployment,horizontalpodautoscaler,poddisruptionbudget", "istiod-asm-1"},
        kIstiodObjects);
    kubectl.on_success({"get", "istiooperators.install.istio.io"}, kOperators);
    kubectl.on_success({"get", "services", "--all-namespaces"}, list(services));
    kubectl.on_success({"delete"}, "deleted\n");
  }
  std::vector<std::string> services;
};

std::vector<std::string> refs(const meshca::PrunePlan& plan) {
  std::vector<std::string> out;
  for (const auto& object : plan.objects)
    out.push_back(object.display());
  return out;
}

const std::vector<std::string> kAsm1Objects = {
    "mutatingwebhookconfiguration.admissionregistration.k8s.io/istio-sidecar-injector-asm-1",
    "deployment.apps/istio-ingressgateway -n istio-system",
    "service/istiod-asm-1 -n istio-system",
    "deployment.apps/istiod-asm-1 -n istio-system",
    "horizontalpodautoscaler.autoscaling/istiod-asm-1 -n istio-system",
    "poddisruptionbudget.policy/istiod-asm-1 -n istio-system",
    "istiooperator.install.istio.io/installed-state-asm-1 -n istio-system"};

struct Run {
  RecordingKubectl kubectl;
  std::ostringstream out, err;
  std::vector<std::string> questions;
  meshca::Result<meshca::Confirmed> answer = meshca::Confirmed::yes;

  meshca::Status prune(const meshca::PruneRevisionOptions& options) {
    meshca::PruneEnvironment env{kubectl,
                                 [this](std::string_view q) {
                                   questions.emplace_back(q);
                                   return answer;
                                 },
                                 out, err};
    return meshca::run_prune_revision(options, env);
  }
  std::vector<std::string> deletes() const {
    std::vector<std::string> lines;
    for (const RecordedCall& call : kubectl.calls_with({"delete"}))
      lines.push_back(call.line());
    return lines;
  }
};

} // namespace

TEST_CASE("prune-revision argv table") {
  auto plain = meshca::parse_prune_revision({"asm-1-19"});
  REQUIRE(plain.ok());
  CHECK(plain->options.revision == "asm-1-19");
  CHECK(plain->options.dry_run == meshca::DryRun::none);
  CHECK_FALSE(plain->options.assume_yes);
  auto dry = meshca::parse_prune_revision({"--dry-run", "asm-1"});
  REQUIRE(dry.ok());
  CHECK(dry->options.dry_run == meshca::DryRun::client);
  CHECK(dry->options.revision == "asm-1");
  auto server = meshca::parse_prune_revision({"asm-1", "--dry-run=server", "--yes"});
  REQUIRE(server.ok());
  CHECK(server->options.dry_run == meshca::DryRun::server);
  CHECK(server->options.assume_yes);
  CHECK(meshca::parse_prune_revision({"default", "-y"})->options.assume_yes);
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{},
                                             {"a", "b"},
                                             {"Asm-1"},
                                             {"asm_1"},
                                             {"-asm"},
                                             {"asm-1", "--dry-run=yes"},
                                             {"asm-1", "-o", "json"}}) {
    CAPTURE(bad);
    auto command = meshca::parse_prune_revision(bad);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == meshca::ExitStatus::bad_input);
  }
  CHECK(meshca::is_revision_name("asm-1-19-meshca"));
  CHECK_FALSE(meshca::is_revision_name(std::string(64, 'a')));
}

TEST_CASE("an unused revision's objects are planned in deletion order") {
  const Cluster cluster;
  const meshca::PrunePlan plan = cluster.plan();
  CHECK(plan.blockers.empty());
  CHECK(refs(plan) == kAsm1Objects);
}

TEST_CASE("every kind of use blocks pruning, each with its fix") {
  Cluster cluster;
  cluster.webhooks.push_back(
      webhook("istio-revision-tag-default", "asm-1", "default", "istiod-asm-1", true));
  cluster.webhooks.push_back(
      webhook("istio-sidecar-injector", "asm-1", "", "istiod-asm-1", true)); // legacy
  cluster.namespaces.push_back(ns("bookinfo", R"("istio-injection":"enabled")"));
  cluster.namespaces.push_back(ns("batch", R"("istio.io/rev":"asm-1")"));
  cluster.pods.push_back(pod("shop", "cart-0", "asm-1", "StatefulSet", "cart"));
  cluster.pods.push_back(pod("shop", "cart-1", "asm-1", "StatefulSet", "cart"));
  const meshca::PrunePlan plan = cluster.plan();
  std::vector<std::string> what, fixes;
  for (const auto& blocker : plan.blockers) {
    what.push_back(blocker.what);
    fixes.push_back(blocker.fix);
  }
  CHECK(what ==
        std::vector<std::string>{
            "revision tag default (mutatingwebhookconfiguration/istio-revision-tag-default) points "
            "at asm-1",
            "mutatingwebhookconfiguration/istio-sidecar-injector still sends sidecar injection to "
            "asm-1",
            "namespace/batch is labelled istio.io/rev=asm-1",
            "namespace/bookinfo is labelled istio-injection=enabled, which injects from asm-1",
            "namespace/shop has 2 running pods injected by asm-1: cart-0 cart-1"});
  CHECK(fixes == std::vector<std::string>{"istioctl tag set default --revision asm-2 --overwrite",
                                          "move the namespaces it serves, then kubectl delete "
                                          "mutatingwebhookconfiguration istio-sidecar-injector",
                                          "kubectl meshca relabel ns batch --revision asm-2",
                                          "kubectl meshca relabel ns bookinfo --revision asm-2",
                                          "kubectl meshca rollout shop"});
  const meshca::Error refusal = meshca::prune_refusal(plan);
  CHECK(refusal.status == meshca::ExitStatus::check_failed);
  CHECK(refusal.message.find("revision asm-1 is still in use; nothing was deleted") == 0);
  CHECK(refusal.message.find("\n      fix: kubectl meshca rollout shop") != std::string::npos);
}

TEST_CASE("an unrevisioned install: istiod, istio-sidecar-injector, pods without a revision") {
  Cluster cluster;
  cluster.deployments = {deployment("istio-system", "istiod", "default", "istiod"),
                         deployment("istio-system", "istiod-asm-2", "asm-2", "istiod")};
  cluster.webhooks = {webhook("istio-sidecar-injector", "default", "", "istiod", true),
                      webhook("istio-sidecar-injector-asm-2", "asm-2", "", "istiod-asm-2", false)};
  cluster.pods = {pod("shop", "web-1", "asm-2")};
  const auto d =
      meshca::parse_control_plane(parse(list(cluster.deployments)), parse(list(cluster.webhooks)));
  CHECK(meshca::istiod_name(d, "default") == "istiod");
  CHECK(meshca::own_injector_name(d, "default") == "istio-sidecar-injector");
  CHECK(meshca::istiod_name(d, "gone") == "istiod-gone");
  const meshca::PrunePlan clean = cluster.plan("default");
  CHECK(clean.blockers.empty());
  REQUIRE_FALSE(clean.objects.empty());
  CHECK(clean.objects.front().display() ==
        "mutatingwebhookconfiguration.admissionregistration.k8s.io/istio-sidecar-injector");

  cluster.namespaces.push_back(ns("legacy", R"("istio-injection":"enabled")"));
  cluster.pods.push_back(
      R"({"metadata":{"name":"api-1","namespace":"legacy","annotations":{"sidecar.istio.io/status":"{}"}},)"
      R"("spec":{"containers":[{"name":"istio-proxy"},{"name":"api"}]},"status":{"phase":"Running"}})");
  const meshca::PrunePlan blocked = cluster.plan("default");
  REQUIRE(blocked.blockers.size() == 2);
  CHECK(blocked.blockers[0].what ==
        "namespace/legacy is labelled istio-injection=enabled, which injects from default");
  CHECK(blocked.blockers[1].what ==
        "namespace/legacy has 1 running pod injected by default: api-1");
}

TEST_CASE("prune deletes the planned objects in order after confirmation") {
  Run run;
  Cluster().script(run.kubectl);
  meshca::PruneRevisionOptions options;
  options.revision = "asm-1";
  auto result = run.prune(options);
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
  CHECK(run.questions == std::vector<std::string>{"Delete 7 objects of revision asm-1?"});
  CHECK(run.deletes() ==
        std::vector<std::string>{
            "delete "
            "mutatingwebhookconfiguration.admissionregistration.k8s.io/"
            "istio-sidecar-injector-asm-1 --ignore-not-found",
            "delete deployment.apps/istio-ingressgateway -n istio-system --ignore-not-found",
            "delete service/istiod-asm-1 -n istio-system --ignore-not-found",
            "delete deployment.apps/istiod-asm-1 -n istio-system --ignore-not-found",
            "delete horizontalpodautoscaler.autoscaling/istiod-asm-1 -n istio-system "
            "--ignore-not-found",
            "delete poddisruptionbudget.policy/istiod-asm-1 -n istio-system --ignore-not-found",
            "delete istiooperator.install.istio.io/installed-state-asm-1 -n istio-system "
            "--ignore-not-found"});
  CHECK(run.out.str().starts_with(kAsm1Objects[0] + " deleted\n" + kAsm1Objects[1] + " deleted\n"));
}

TEST_CASE("prune refuses while in use and sends no delete, dry run included") {
  for (const meshca::DryRun dry_run :
       {meshca::DryRun::none, meshca::DryRun::client, meshca::DryRun::server}) {
    Run run;
    Cluster cluster;
    cluster.namespaces.push_back(ns("batch", R"("istio.io/rev":"asm-1")"));
    cluster.script(run.kubectl);
    meshca::PruneRevisionOptions options;
    options.revision = "asm-1";
    options.dry_run = dry_run;
    auto result = run.prune(options);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().status == meshca::ExitStatus::check_failed);
    CHECK(run.deletes().empty());
    CHECK(run.questions.empty());
  }
}

TEST_CASE("prune --dry-run lists every object, server dry run sends deletes with dryRun") {
  Run client;
  Cluster().script(client.kubectl);
  meshca::PruneRevisionOptions options;
  options.revision = "asm-1";
  options.dry_run = meshca::DryRun::client;
  REQUIRE(client.prune(options).ok());
  CHECK(client.deletes().empty());
  CHECK(client.questions.empty());
  std::string expected;
  for (const std::string& object : kAsm1Objects)
    expected += object + " deleted (dry run)\n";
  CHECK(client.out.str() == expected);

  Run server;
  Cluster().script(server.kubectl);
  options.dry_run = meshca::DryRun::server;
  REQUIRE(server.prune(options).ok());
  REQUIRE(server.deletes().size() == kAsm1Objects.size());
  for (const std::string& line : server.deletes())
    CHECK_MESSAGE(line.ends_with("--dry-run=server"), line);
}

TEST_CASE("prune: not confirmed, nothing installed, no IstioOperator type, a failing delete") {
  Run declined;
  Cluster().script(declined.kubectl);
  declined.answer = meshca::Confirmed::no;
  meshca::PruneRevisionOptions options;
  options.revision = "asm-1";
  auto no = declined.prune(options);
  REQUIRE_FALSE(no.ok());
  CHECK(no.error().status == meshca::ExitStatus::check_failed);
  CHECK(declined.deletes().empty());

  Run absent;
  Cluster().script(absent.kubectl);
  absent.kubectl.on_success(
      {"get", "service,deployment,horizontalpodautoscaler,poddisruptionbudget", "istiod-asm-9"},
      ""); // kubectl prints nothing when --ignore-not-found finds nothing
  absent.kubectl.on_failure({"get", "istiooperators.install.istio.io"},
                            "error: the server doesn't have a resource type \"istiooperators\"\n");
  options.revision = "asm-9";
  REQUIRE(absent.prune(options).ok());
  CHECK(absent.out.str() == "Nothing to delete: revision asm-9 is not installed.\n");
  CHECK(absent.deletes().empty());

  Run failing;
  Cluster().script(failing.kubectl);
  failing.kubectl.on_failure({"delete", "service/istiod-asm-1"},
                             "Error from server (Forbidden): no\n");
  options.revision = "asm-1";
  auto failed = failing.prune(options);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().status == meshca::ExitStatus::cluster_error);
  CHECK(failed.error().message.find("re-run prune-revision to finish") != std::string::npos);
  CHECK(failing.deletes().size() == 3); // stopped at the failure

  Run unreadable;
  unreadable.kubectl.on_failure({"get"}, "error: connection refused\n");
  auto cluster_down = unreadable.prune(options);
  REQUIRE_FALSE(cluster_down.ok());
  CHECK(cluster_down.error().status == meshca::ExitStatus::cluster_error);
}

namespace {

std::string gateway_pod(const std::string& name, const std::string& deployment,
                        const std::string& hash, const std::string& rev) {
  return R"({"metadata":{"name":")" + name +
         R"(","namespace":"istio-system","labels":{"app":"istio-ingressgateway",)"
         R"("istio":"ingressgateway","pod-template-hash":")" +
         hash + R"("},"annotations":{"istio.io/rev":")" + rev +
         R"("},"ownerReferences":[{"kind":"ReplicaSet","name":")" + deployment + "-" + hash +
         R"("}]},"spec":{"containers":[{"name":"istio-proxy"}]},)"
         R"("status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}})";
}

const std::string kIngressService =
    R"({"kind":"Service","metadata":{"name":"istio-ingressgateway","namespace":"istio-system"},)"
    R"("spec":{"type":"LoadBalancer","selector":{"istio":"ingressgateway"}},)"
    R"("status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"}]}}})";

} // namespace

TEST_CASE(
    "prune refuses while a Service would lose its last endpoints, and --force deletes anyway") {
  Run run;
  Cluster cluster;
  cluster.pods = {
      pod("shop", "web-1", "asm-2"),
      gateway_pod("istio-ingressgateway-7c9-abc", "istio-ingressgateway", "7c9", "asm-1"),
      gateway_pod("istio-ingressgateway-7c9-def", "istio-ingressgateway", "7c9", "asm-1")};
  cluster.services = {
      kIngressService,
      R"({"kind":"Service","metadata":{"name":"manual","namespace":"istio-system"},"spec":{"type":"ClusterIP"}})"};
  cluster.script(run.kubectl);
  meshca::PruneRevisionOptions options;
  options.revision = "asm-1";
  options.assume_yes = true;
  for (meshca::DryRun dry_run : {meshca::DryRun::client, meshca::DryRun::none}) {
    options.dry_run = dry_run;
    auto refused = run.prune(options);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().status == meshca::ExitStatus::check_failed);
    const std::string& message = refused.error().message;
    CHECK(message.find("service/istio-ingressgateway -n istio-system (LoadBalancer, external "
                       "address 203.0.113.7) "
                       "has 2 ready endpoints, all pods of asm-1's gateway istio-ingressgateway") !=
          std::string::npos);
    CHECK(message.find("point it at the new revision's gateway") != std::string::npos);
    CHECK(message.find("service/manual") == std::string::npos); // no selector: not judged
    CHECK(run.deletes().empty());
  }
  options.force = true;
  REQUIRE(run.prune(options).ok());
  CHECK(run.err.str().find("warning: --force: service/istio-ingressgateway -n istio-system") !=
        std::string::npos);
  CHECK(run.deletes().size() == kAsm1Objects.size());
}

TEST_CASE("prune: a Service that still has endpoints elsewhere is no obstacle") {
  Run run;
  Cluster cluster;
  cluster.deployments.push_back(
      deployment("istio-system", "istio-ingressgateway-2", "asm-2", "istio-ingressgateway-2"));
  cluster.pods = {
      pod("shop", "web-1", "asm-2"),
      gateway_pod("istio-ingressgateway-7c9-abc", "istio-ingressgateway", "7c9", "asm-1"),
      gateway_pod("istio-ingressgateway-2-8d1-xyz", "istio-ingressgateway-2", "8d1", "asm-2")};
  cluster.services = {kIngressService};
  cluster.script(run.kubectl);
  meshca::PruneRevisionOptions options;
  options.revision = "asm-1";
  options.assume_yes = true;
  REQUIRE(run.prune(options).ok());
  CHECK(run.deletes().size() == kAsm1Objects.size());
}

TEST_CASE("prune reads the pods a page at a time: blockers and Services see every page, once") {
  // Page 1: a workload on asm-1 and one gateway pod; page 2: the other gateway pod. The first
  // read of page 2 finds the continue token expired, so the list starts over (page 1 again).
  Run run;
  Cluster cluster;
  cluster.services = {kIngressService};
  cluster.script(run.kubectl);
  const std::string first =
      R"({"kind":"PodList","metadata":{"continue":"next"},"items":[)" +
      pod("shop", "cart-0", "asm-1", "StatefulSet", "cart") + "," +
      gateway_pod("istio-ingressgateway-7c9-abc", "istio-ingressgateway", "7c9", "asm-1") + "]}";
  const std::string second =
      R"({"kind":"PodList","metadata":{},"items":[)" +
      gateway_pod("istio-ingressgateway-7c9-def", "istio-ingressgateway", "7c9", "asm-1") + "]}";
  int expirations = 1;
  const RecordingKubectl::Handler pages =
      [&](const RecordedCall& call) -> meshca::Result<meshca::ProcessOutput> {
    meshca::ProcessOutput output;
    output.exit_code = 0;
    if (call.args.back() == "/api/v1/pods?limit=500") {
      output.out = first;
    } else if (expirations-- > 0) {
      output.exit_code = 1;
      output.err = "Error from server (Gone): The provided continue parameter is "
                   "too old to display a consistent list result.\n";
    } else {
      output.out = second;
    }
    return output;
  };
  run.kubectl.on({"get", "--raw", "/api/v1/pods?limit=500"}, pages); // over the Cluster's list
  run.kubectl.on({"get", "--raw"}, pages);
  meshca::PruneRevisionOptions options;
  options.revision = "asm-1";
  options.assume_yes = true;
  auto refused = run.prune(options);
  REQUIRE_FALSE(refused.ok());
  const std::string& message = refused.error().message;
  CHECK(message.find("namespace/shop has 1 running pod injected by asm-1: cart-0") !=
        std::string::npos);
  // Both gateway pods counted once each, though page 1 was read twice.
  CHECK(message.find("has 2 ready endpoints, all pods of asm-1's gateway istio-ingressgateway") !=
        std::string::npos);
  CHECK(run.kubectl.count({"get", "--raw"}) == 4);
  CHECK(run.kubectl.count({"get", "pods"}) == 0); // never the whole list at once
  CHECK(run.deletes().empty());
}
