// kubectl get against meshca-sim: server-side tables, output formats, selectors, discovery.

#include "sim_cluster.h"

#include <doctest/doctest.h>

using e2e::SimCluster;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string ok(const meshca::ProcessOutput& r) {
  REQUIRE_MESSAGE(r.exit_code == 0, "kubectl failed: " << r.err);
  return r.out;
}

} // namespace

TEST_CASE("default table output for pods, namespaces and workloads") {
  SimCluster sim;
  auto pods = ok(sim.kubectl({"get", "pods", "-n", "demo"}));
  CHECK(contains(pods, "NAME    READY   STATUS      RESTARTS   AGE"));
  CHECK(contains(pods, "web-1   2/2     Running     1"));
  CHECK(contains(pods, "job-1   0/1     Succeeded   0"));
  auto wide = ok(sim.kubectl({"get", "pods", "-A", "-o", "wide"}));
  CHECK(contains(wide, "NAMESPACE"));
  CHECK(contains(wide, "10.0.0.5"));
  CHECK(contains(wide, "node-1"));
  auto namespaces = ok(sim.kubectl({"get", "ns", "--show-labels"}));
  CHECK(contains(namespaces, "istio-injection=enabled,team=a"));
  CHECK(contains(namespaces, "kube-system"));
  auto workloads = ok(sim.kubectl({"get", "deploy,sts,ds,svc,hpa,pdb", "-n", "demo"}));
  CHECK(contains(workloads, "deployment.apps/web"));
  CHECK(contains(workloads, "UP-TO-DATE"));
  CHECK(contains(workloads, "statefulset.apps/db"));
  CHECK(contains(workloads, "daemonset.apps/agent"));
  CHECK(contains(workloads, "service/web   ClusterIP   10.96.0.10"));
  CHECK(contains(workloads, "horizontalpodautoscaler.autoscaling/web   Deployment/web"));
  CHECK(contains(workloads, "poddisruptionbudget.policy/web"));
  auto istio = ok(sim.kubectl({"get", "istiooperators", "-A"}));
  CHECK(contains(istio, "installed-state   asm-1-20"));
  auto webhooks = ok(sim.kubectl({"get", "mutatingwebhookconfigurations"}));
  CHECK(contains(webhooks, "istio-sidecar-injector   1"));
  auto events = sim.kubectl({"get", "events", "-n", "demo"});
  CHECK(events.exit_code == 0);
  CHECK(contains(events.err, "No resources found in demo namespace."));
}

TEST_CASE("output formats json, yaml, name and jsonpath") {
  SimCluster sim;
  auto json = ok(sim.kubectl({"get", "pods", "-n", "demo", "-o", "json"}));
  CHECK(contains(json, "\"kind\": \"List\""));
  CHECK(contains(json, "\"uid\": "));
  CHECK(contains(json, "\"resourceVersion\": "));
  auto yaml = ok(sim.kubectl({"get", "pod", "web-1", "-n", "demo", "-o", "yaml"}));
  CHECK(contains(yaml, "kind: Pod"));
  CHECK(contains(yaml, "  name: web-1"));
  CHECK(contains(yaml, "creationTimestamp: "));
  CHECK(ok(sim.kubectl({"get", "pods", "-n", "demo", "-o", "name"})) == "pod/job-1\npod/web-1\n");
  CHECK(ok(sim.kubectl({"get", "pods", "-A", "-o", "jsonpath={.items[*].metadata.name}"})) ==
        "job-1 web-1");
  CHECK(ok(sim.kubectl({"get", "ns", "demo", "-o", "jsonpath={.metadata.labels.team}"})) == "a");
}

TEST_CASE("label columns, label selectors and field selectors") {
  SimCluster sim;
  auto columns = ok(sim.kubectl({"get", "pods", "-A", "-L", "app,tier"}));
  CHECK(contains(columns, "APP   TIER"));
  CHECK(contains(columns, "web   front"));
  auto names = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"get", "pods", "-A", "-o", "name"});
    return ok(sim.kubectl(args));
  };
  CHECK(names({"-l", "app=web"}) == "pod/web-1\n");
  CHECK(names({"-l", "app!=web"}) == "pod/job-1\n");
  CHECK(names({"-l", "app in (web,job)"}) == "pod/job-1\npod/web-1\n");
  CHECK(names({"-l", "app notin (web)"}) == "pod/job-1\n");
  CHECK(names({"-l", "tier"}) == "pod/web-1\n");
  CHECK(names({"-l", "!tier"}) == "pod/job-1\n");
  CHECK(names({"-l", "app=web,tier=back"}).empty());
  CHECK(names({"--field-selector", "metadata.name=job-1"}) == "pod/job-1\n");
  CHECK(names({"--field-selector", "status.phase=Running"}) == "pod/web-1\n");
  CHECK(names({"--field-selector", "status.phase!=Running"}) == "pod/job-1\n");
  CHECK(names({"--field-selector", "spec.nodeName=node-2"}) == "pod/job-1\n");
  CHECK(names({"--field-selector", "metadata.namespace=demo,status.phase=Running"}) ==
        "pod/web-1\n");
  auto unsupported = sim.kubectl({"get", "pods", "-A", "--field-selector", "spec.foo=x"});
  CHECK(unsupported.exit_code == 1);
  CHECK(contains(unsupported.err, "field label not supported: spec.foo"));
}

TEST_CASE("errors: not found, unknown resource type") {
  SimCluster sim;
  auto missing = sim.kubectl({"get", "pod", "nope", "-n", "demo"});
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.err, "Error from server (NotFound): pods \"nope\" not found"));
  auto missing_deploy = sim.kubectl({"get", "deploy", "nope", "-n", "demo"});
  CHECK(contains(missing_deploy.err, "deployments.apps \"nope\" not found"));
  auto unknown = sim.kubectl({"get", "widgets"});
  CHECK(unknown.exit_code == 1);
  CHECK(contains(unknown.err, "the server doesn't have a resource type \"widgets\""));
}

TEST_CASE("discovery and version") {
  SimCluster sim;
  auto version = ok(sim.kubectl({"version", "-o", "json"}));
  CHECK(contains(version, "\"gitVersion\": \"v1.32.4\""));
  auto resources = ok(sim.kubectl({"api-resources", "-o", "name"}));
  for (const char* name : {"pods\n", "deployments.apps\n", "horizontalpodautoscalers.autoscaling\n",
                           "poddisruptionbudgets.policy\n", "istiooperators.install.istio.io\n",
                           "mutatingwebhookconfigurations.admissionregistration.k8s.io\n"})
    CHECK_MESSAGE(contains(resources, name), name);
  // Plain HTTP to the same paths, legacy discovery included.
  CHECK(contains(sim.http("GET", "/apis/apps/v1").body, "\"name\":\"deployments\""));
  CHECK(contains(sim.http("GET", "/api").body, "\"versions\":[\"v1\"]"));
  CHECK(sim.http("GET", "/apis/nope/v1").status == 404);
}
