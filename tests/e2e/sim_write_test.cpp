// kubectl's writes against meshca-sim: label/annotate/patch (three patch types, dry runs,
// validation), create/apply of Secrets (protobuf and JSON bodies), delete of several kinds.

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

std::string str(const rapidjson::Value& entry, const char* key) {
  return entry.HasMember(key) && entry[key].IsString() ? entry[key].GetString() : "";
}

} // namespace

TEST_CASE("label and annotate, including key- removal and both dry runs") {
  SimCluster sim;
  CHECK(ok(sim.kubectl({"label", "ns", "demo", "istio.io/rev=asm-1-20", "istio-injection-"})) ==
        "namespace/demo unlabeled\n");
  CHECK(ok(sim.kubectl({"get", "ns", "demo", "-o", "jsonpath={.metadata.labels}"})) ==
        R"({"istio.io/rev":"asm-1-20","team":"a"})");
  ok(sim.kubectl({"annotate", "pod", "web-1", "-n", "demo", "note=hello"}));
  CHECK(ok(sim.kubectl({"get", "pod", "web-1", "-n", "demo", "-o",
                        "jsonpath={.metadata.annotations.note}"})) == "hello");

  CHECK(contains(ok(sim.kubectl({"label", "ns", "demo", "x=y", "--dry-run=server"})),
                 "(server dry run)"));
  CHECK(contains(ok(sim.kubectl({"label", "ns", "demo", "z=1", "--dry-run=client"})), "(dry run)"));
  CHECK(ok(sim.kubectl({"get", "ns", "demo", "-o", "jsonpath={.metadata.labels}"})) ==
        R"({"istio.io/rev":"asm-1-20","team":"a"})");

  auto log = sim.log();
  REQUIRE(log.size() == 3); // the client dry run sends nothing
  CHECK(str(log[0], "verb") == "patch");
  CHECK(str(log[0], "resource") == "namespaces");
  CHECK(str(log[0], "name") == "demo");
  CHECK(str(log[0], "patchType") == "merge");
  CHECK(log[0]["body"]["metadata"]["labels"]["istio-injection"].IsNull());
  CHECK(log[0]["dryRun"].GetBool() == false);
  CHECK(log[0]["code"].GetInt() == 200);
  CHECK(str(log[1], "resource") == "pods");
  CHECK(log[2]["dryRun"].GetBool() == true);
}

TEST_CASE("server-side validation answers 422 and changes nothing") {
  SimCluster sim;
  auto bad =
      sim.kubectl({"patch", "ns", "demo", "-p", R"({"metadata":{"labels":{"bad":"not ok!"}}})"});
  CHECK(bad.exit_code == 1);
  CHECK(contains(bad.err,
                 "The Namespace \"demo\" is invalid: metadata.labels: Invalid value: \"not ok!\""));
  auto dry = sim.kubectl({"patch", "ns", "demo", "--dry-run=server", "-p",
                          R"({"metadata":{"labels":{"bad":"x y"}}})"});
  CHECK(dry.exit_code == 1);
  CHECK(ok(sim.kubectl({"get", "ns", "demo", "-o", "jsonpath={.metadata.labels}"})) ==
        R"({"istio-injection":"enabled","team":"a"})");
  auto log = sim.log();
  REQUIRE(log.size() == 2);
  CHECK(log[0]["code"].GetInt() == 422);
  CHECK(log[1]["dryRun"].GetBool());
}

TEST_CASE("patch: strategic merge by container name, merge patch, json patch") {
  SimCluster sim;
  ok(sim.kubectl(
      {"patch", "deploy", "web", "-n", "demo", "-p",
       R"({"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"istio-proxy","image":"proxyv2"}]}}}})"}));
  CHECK(ok(sim.kubectl({"get", "deploy", "web", "-n", "demo", "-o",
                        "jsonpath={.spec.replicas} {.spec.template.spec.containers[*].name}"})) ==
        "3 app istio-proxy");
  ok(sim.kubectl(
      {"patch", "deploy", "web", "-n", "demo", "-p",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"istio-proxy","$patch":"delete"}]}}}})"}));
  CHECK(ok(sim.kubectl({"get", "deploy", "web", "-n", "demo", "-o",
                        "jsonpath={.spec.template.spec.containers[*].name}"})) == "app");
  ok(sim.kubectl({"patch", "deploy", "web", "-n", "demo", "--type", "merge", "-p",
                  R"({"metadata":{"labels":{"m":"1"}}})"}));
  ok(sim.kubectl(
      {"patch", "deploy", "web", "-n", "demo", "--type", "json", "-p",
       R"([{"op":"add","path":"/metadata/labels/j","value":"2"},{"op":"remove","path":"/metadata/labels/m"}])"}));
  CHECK(ok(sim.kubectl({"get", "deploy", "web", "-n", "demo", "-o",
                        "jsonpath={.metadata.labels}"})) == R"({"app":"web","j":"2"})");
  auto failed = sim.kubectl({"patch", "deploy", "web", "-n", "demo", "--type", "json", "-p",
                             R"([{"op":"remove","path":"/metadata/labels/nope"}])"});
  CHECK(failed.exit_code == 1);
  CHECK(contains(failed.err, "nonexistent key: nope"));
  auto generation = ok(
      sim.kubectl({"get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.metadata.generation}"}));
  CHECK(generation == "3"); // two spec changes; label patches do not bump it
  auto types = sim.log();
  REQUIRE(types.size() == 5);
  CHECK(str(types[0], "patchType") == "strategic");
  CHECK(str(types[2], "patchType") == "merge");
  CHECK(str(types[3], "patchType") == "json");
}

TEST_CASE("create secret generic (protobuf body), configmap, namespace, and conflicts") {
  SimCluster sim;
  CHECK(ok(sim.kubectl({"create", "secret", "generic", "s1", "-n", "demo",
                        "--from-literal=key=value", "--from-literal=other=x"})) ==
        "secret/s1 created\n");
  CHECK(ok(sim.kubectl({"get", "secret", "s1", "-n", "demo", "-o",
                        "jsonpath={.data.key} {.type}"})) == "dmFsdWU= Opaque");
  auto again =
      sim.kubectl({"create", "secret", "generic", "s1", "-n", "demo", "--from-literal=key=value"});
  CHECK(again.exit_code == 1);
  CHECK(contains(again.err, "secrets \"s1\" already exists"));
  ok(sim.kubectl({"create", "secret", "generic", "s2", "-n", "demo", "--from-literal=a=b",
                  "--dry-run=server"}));
  CHECK(sim.kubectl({"get", "secret", "s2", "-n", "demo"}).exit_code == 1);
  ok(sim.kubectl({"create", "configmap", "c1", "-n", "demo", "--from-literal=k=v"}));
  CHECK(ok(sim.kubectl({"get", "cm", "c1", "-n", "demo", "-o", "jsonpath={.data.k}"})) == "v");
  ok(sim.kubectl({"create", "namespace", "fresh"}));
  CHECK(ok(sim.kubectl({"get", "ns", "fresh", "-o", "name"})) == "namespace/fresh\n");
  auto missing_ns =
      sim.kubectl({"create", "secret", "generic", "s3", "-n", "nowhere", "--from-literal=a=b"});
  CHECK(contains(missing_ns.err, "namespaces \"nowhere\" not found"));
  auto log = sim.log();
  REQUIRE(log.size() >= 2);
  CHECK(str(log[0], "verb") == "create");
  CHECK(str(log[0], "name") == "s1");
  CHECK(str(log[0]["body"]["data"], "key") == "<redacted>");
  CHECK(str(log[1], "verb") == "create");
  CHECK(log[1]["code"].GetInt() == 409);
}

TEST_CASE("apply -f of a Secret: create, then update through a strategic merge patch") {
  SimCluster sim;
  auto secret = [](const std::string& value) {
    return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cacerts\n  namespace: "
           "istio-system\ntype: Opaque\n"
           "stringData:\n  root-cert.pem: " +
           value + "\n";
  };
  CHECK(ok(sim.kubectl({"apply", "-f", "-"}, secret("ROOT1"))) == "secret/cacerts created\n");
  CHECK(ok(sim.kubectl({"get", "secret", "cacerts", "-n", "istio-system", "-o",
                        "jsonpath={.data.root-cert\\.pem}"})) == "Uk9PVDE=");
  // As with a real API server: stringData is folded into data, so the three-way patch always
  // re-sends it and kubectl reports "configured" even when nothing changes.
  CHECK(ok(sim.kubectl({"apply", "-f", "-"}, secret("ROOT1"))) == "secret/cacerts configured\n");
  CHECK(ok(sim.kubectl({"apply", "-f", "-"}, secret("ROOT2"))) == "secret/cacerts configured\n");
  CHECK(ok(sim.kubectl({"get", "secret", "cacerts", "-n", "istio-system", "-o",
                        "jsonpath={.data.root-cert\\.pem}"})) == "Uk9PVDI=");
  ok(sim.kubectl({"apply", "-f", "-", "--dry-run=server"}, secret("ROOT3")));
  CHECK(ok(sim.kubectl({"get", "secret", "cacerts", "-n", "istio-system", "-o",
                        "jsonpath={.data.root-cert\\.pem}"})) == "Uk9PVDI=");
}

TEST_CASE("delete of several kinds at once waits for each to be gone") {
  SimCluster sim;
  auto deleted =
      ok(sim.kubectl({"delete", "Service,Deployment,HorizontalPodAutoscaler,PodDisruptionBudget",
                      "web", "-n", "demo"}));
  CHECK(deleted == "service \"web\" deleted\ndeployment.apps \"web\" "
                   "deleted\nhorizontalpodautoscaler.autoscaling \"web\" deleted\n"
                   "poddisruptionbudget.policy \"web\" deleted\n");
  for (const char* kind : {"svc", "deploy", "hpa", "pdb"})
    CHECK_MESSAGE(sim.kubectl({"get", kind, "web", "-n", "demo"}).exit_code == 1, kind);
  auto log = sim.log();
  REQUIRE(log.size() == 4);
  for (const auto& entry : log)
    CHECK(str(entry, "verb") == "delete");
  auto missing = sim.kubectl({"delete", "pod", "nope", "-n", "demo"});
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.err, "pods \"nope\" not found"));
  auto dry = ok(sim.kubectl({"delete", "sts", "db", "-n", "demo", "--dry-run=server"}));
  CHECK(contains(dry, "deleted (server dry run)"));
  CHECK(sim.kubectl({"get", "sts", "db", "-n", "demo"}).exit_code == 0);
  ok(sim.kubectl({"delete", "ns", "demo"}));
  CHECK(ok(sim.kubectl({"get", "pods", "-A", "-o", "name"}))
            .empty()); // a namespace takes its objects along
}
