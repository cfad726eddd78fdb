#include "meshca/checks/status_phase.h"
#include "meshca/checks/status_snapshot.h"
#include "meshca/commands/status/status_cli.h"
#include "meshca/commands/status/status_output.h"
#include "meshca/kube/kubectl_calls.h"
#include "meshca/mesh/namespace_injection.h"
#include "recording_kubectl.h"

#include <doctest/doctest.h>
#include <fstream>
#include <iterator>

namespace {

std::string deployment(const std::string& name, const std::string& rev, const std::string& app,
                       const std::string& created = "2024-01-01T00:00:00Z") {
  return R"({"kind":"Deployment","metadata":{"name":")" + name +
         R"(","namespace":"istio-system","creationTimestamp":")" + created +
         R"(","labels":{"app":")" + app + R"(","istio.io/rev":")" + rev +
         R"("}},"spec":{"replicas":2},"status":{"readyReplicas":2}})";
}

std::string webhook(const std::string& name, const std::string& rev, const std::string& tag = "") {
  std::string labels = R"("app":"sidecar-injector","istio.io/rev":")" + rev + "\"";
  if (!tag.empty())
    labels += R"(,"istio.io/tag":")" + tag + "\"";
  const std::string selector =
      tag == "default" ? R"(,"namespaceSelector":{"matchLabels":{"istio-injection":"enabled"}})"
                       : "";
  return R"({"metadata":{"name":")" + name + R"(","labels":{)" + labels +
         R"(}},"webhooks":[{"name":"x")" + selector + "}]}";
}

std::string ns(const std::string& name, const std::string& labels) {
  return R"({"metadata":{"name":")" + name + R"(","labels":{)" + labels + "}}}";
}

std::string pod(const std::string& ns_name, const std::string& name, const std::string& rev) {
  return R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns_name +
         R"(","annotations":{"istio.io/rev":")" + rev +
         R"("},"ownerReferences":[{"kind":"ReplicaSet","name":"app-1"}]},"spec":{"containers":[{"name":"istio-proxy"},{"name":"app"}]},)"
         R"("status":{"phase":"Running"}})";
}

// The real Mesh CA root (the one asmcli's ca-migration-citadel option puts in caCertificates),
// JSON-escaped.
std::string meshca_root_json() {
  std::ifstream in(std::string(MESHCA_SAMPLES_DIR) +
                   "/meshca_root_istio_v1_cloud_workload_root-signer-0-2018-04-25.pem");
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(pem.find("BEGIN CERTIFICATE") != std::string::npos);
  std::string escaped;
  for (char c : pem)
    escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  return escaped;
}

// An IstioOperator; `distributes_meshca_root`: with the ca-migration-citadel option's
// caCertificates.
std::string iop(const std::string& rev, const std::string& ca_name,
                bool distributes_meshca_root = false) {
  const std::string mesh =
      distributes_meshca_root
          ? R"(,"meshConfig":{"caCertificates":[{"pem":")" + meshca_root_json() + R"("}]})"
          : "";
  return R"({"metadata":{"name":"installed-state-)" + rev + R"("},"spec":{"revision":")" + rev +
         R"(","values":{"global":{"caName":")" + ca_name + R"("}})" + mesh + "}}";
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

// The demo mesh: asm-1 (Citadel, default tag, a gateway), asm-1-mcroot (round 1), asm-1-meshca
// (round 2, Mesh CA). Tests edit the lists to move through the phases.
struct Mesh {
  std::vector<std::string> deployments = {
      deployment("istiod-asm-1", "asm-1", "istiod"),
      deployment("istiod-asm-1-mcroot", "asm-1-mcroot", "istiod"),
      deployment("istiod-asm-1-meshca", "asm-1-meshca", "istiod"),
      deployment("istio-ingressgateway", "asm-1", "istio-ingressgateway")};
  std::vector<std::string> webhooks = {
      webhook("istio-sidecar-injector-asm-1", "asm-1"),
      webhook("istio-sidecar-injector-asm-1-mcroot", "asm-1-mcroot"),
      webhook("istio-sidecar-injector-asm-1-meshca", "asm-1-meshca"),
      webhook("istio-revision-tag-default", "asm-1", "default")};
  std::vector<std::string> namespaces = {ns("bookinfo", R"("istio-injection":"enabled")"),
                                         ns("shop", R"("istio.io/rev":"asm-1")"), ns("plain", ""),
                                         ns("kube-system", "")};
  std::vector<std::string> pods = {
      pod("bookinfo", "productpage-1", "asm-1"), pod("bookinfo", "details-1", "asm-1"),
      pod("shop", "frontend-1", "asm-1"), pod("kube-system", "dns-1", "asm-1")};
  std::vector<std::string> operators = {iop("asm-1", ""), iop("asm-1-mcroot", "", true),
                                        iop("asm-1-meshca", "GoogleCA")};
  std::vector<std::string> secrets = {"cacerts", "istio-ca-secret"};

  meshca::MeshStatus status() const {
    const auto d = parse(list(deployments)), w = parse(list(webhooks)), n = parse(list(namespaces)),
               p = parse(list(pods)), o = parse(list(operators));
    const auto sidecars = meshca::select_sidecar_pods(p, true);
    REQUIRE(sidecars.ok());
    meshca::MeshStatus out = meshca::build_status({d, w, n, *sidecars, &o, secrets});
    meshca::decide_phase(out);
    return out;
  }
  void move_all(const std::string& rev) {
    namespaces = {ns("bookinfo", R"("istio.io/rev":")" + rev + "\""),
                  ns("shop", R"("istio.io/rev":")" + rev + "\"")};
    pods = {pod("bookinfo", "productpage-2", rev), pod("shop", "frontend-2", rev)};
  }
  void remove(const std::string& rev) {
    auto drop = [&](std::vector<std::string>& items) {
      std::erase_if(items, [&](const std::string& item) {
        return item.find("\"" + rev + "\"") != std::string::npos;
      });
    };
    drop(deployments);
    drop(webhooks);
  }
};

} // namespace

TEST_CASE("status argv table") {
  CHECK(meshca::parse_status({})->output == meshca::OutputFormat::text);
  CHECK(meshca::parse_status({"-o", "json"})->output == meshca::OutputFormat::json);
  CHECK(meshca::parse_status({"--output=yaml"})->output == meshca::OutputFormat::yaml);
  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
           {"-o", "wide"}, {"-o", "name"}, {"extra"}, {"-n", "x"}, {"--bogus"}}) {
    CAPTURE(bad);
    auto command = meshca::parse_status(bad);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == meshca::ExitStatus::bad_input);
  }
}

TEST_CASE("namespace labels resolve as Istio's webhooks do") {
  const Mesh mesh;
  const auto plane =
      meshca::parse_control_plane(parse(list(mesh.deployments)), parse(list(mesh.webhooks)));
  auto resolve = [&](const std::string& labels) {
    return meshca::resolve_namespace(parse(ns("x", labels)), plane);
  };
  const auto injection = resolve(R"("istio-injection":"enabled")");
  CHECK(injection.target == "asm-1");
  CHECK(injection.via == "istio-injection=enabled (default tag)");
  CHECK(injection.problems.empty());
  CHECK(resolve(R"("istio.io/rev":"asm-1-meshca")").target == "asm-1-meshca");
  const auto tag = resolve(R"("istio.io/rev":"default")");
  CHECK(tag.target == "asm-1");
  CHECK(tag.via == "istio.io/rev=default (tag)");
  const auto both = resolve(R"("istio-injection":"enabled","istio.io/rev":"asm-1-meshca")");
  CHECK(both.target == "asm-1"); // istio-injection wins
  REQUIRE(both.problems.size() == 1);
  CHECK(both.problems[0].find("both istio-injection and istio.io/rev") == 0);
  CHECK(both.labels_text() == "istio-injection=enabled,istio.io/rev=asm-1-meshca");
  const auto nowhere = resolve(R"("istio.io/rev":"asm-0")");
  CHECK(nowhere.target.empty());
  CHECK(nowhere.problems.at(0) ==
        "istio.io/rev=asm-0 names no control plane: its new pods get no sidecar");
  CHECK(resolve(R"("istio-injection":"disabled")").target.empty());
  CHECK_FALSE(resolve("").labelled());
  CHECK(meshca::same_revision("", "default"));
  CHECK_FALSE(meshca::same_revision("", "asm-1"));
}

TEST_CASE("status of the demo mesh before the migration: round 1 is next") {
  const meshca::MeshStatus status = Mesh().status();
  REQUIRE(status.revisions.size() == 3);
  const auto* asm1 = status.find("asm-1");
  REQUIRE(asm1 != nullptr);
  CHECK(asm1->issuer == "CITADEL");
  CHECK(asm1->issuer_source == "IstioOperator installed-state-asm-1");
  CHECK(asm1->tags == std::vector<std::string>{"default"});
  CHECK(asm1->namespaces == 2);
  CHECK(asm1->pods == 3); // kube-system is left out
  CHECK(status.find("asm-1-meshca")->issuer == "MESHCA");
  REQUIRE(status.namespaces.size() == 2); // plain has neither labels nor sidecars
  CHECK(status.namespaces[0].pods.at("asm-1") == 2);
  CHECK(status.phase == "ready-to-relabel");
  CHECK(status.round == 1);
  CHECK(status.next == std::vector<std::string>{"kubectl meshca relabel ns --all --revision "
                                                "asm-1-mcroot -o name | kubectl meshca rollout -"});
}

TEST_CASE("status follows the migration phase by phase") {
  Mesh mesh;
  mesh.namespaces = {ns("bookinfo", R"("istio.io/rev":"asm-1-mcroot")"),
                     ns("shop", R"("istio.io/rev":"asm-1")")};
  auto split = mesh.status();
  CHECK(split.phase == "relabelling");
  CHECK(split.round == 1);
  CHECK(
      split.next.at(0) ==
      "kubectl meshca relabel ns shop --revision asm-1-mcroot -o name | kubectl meshca rollout -");

  mesh.namespaces = {ns("bookinfo", R"("istio.io/rev":"asm-1-mcroot")"),
                     ns("shop", R"("istio.io/rev":"asm-1-mcroot")")};
  auto lagging = mesh.status();
  CHECK(lagging.phase == "rollout-pending");
  CHECK(lagging.next == std::vector<std::string>{"kubectl meshca rollout bookinfo shop"});

  mesh.move_all("asm-1-mcroot");
  auto old_installed = mesh.status();
  CHECK(old_installed.phase == "old-revision-installed");
  CHECK(old_installed.round == 1);
  CHECK(old_installed.next ==
        std::vector<std::string>{"kubectl meshca check-root -A --require CITADEL,MESHCA",
                                 "istioctl tag set default --revision asm-1-mcroot --overwrite",
                                 "kubectl meshca prune-revision asm-1"});

  mesh.remove("asm-1");
  auto round2 = mesh.status();
  CHECK(round2.phase == "ready-to-relabel");
  CHECK(round2.round == 2);
  CHECK(
      round2.next.back() ==
      "kubectl meshca relabel ns --all --revision asm-1-meshca -o name | kubectl meshca rollout -");

  mesh.move_all("asm-1-meshca");
  auto prune2 = mesh.status();
  CHECK(prune2.phase == "old-revision-installed");
  CHECK(prune2.round == 2);
  CHECK(prune2.next.back() == "kubectl meshca prune-revision asm-1-mcroot");

  mesh.remove("asm-1-mcroot");
  auto cleanup = mesh.status();
  CHECK(cleanup.phase == "ready-for-cleanup");
  CHECK(cleanup.next.back().starts_with("kubectl meshca cleanup-secrets --backup-dir "));

  mesh.secrets.clear();
  auto complete = mesh.status();
  CHECK(complete.phase == "complete");
  CHECK(complete.next == std::vector<std::string>{"kubectl meshca check-root -A --forbid CITADEL"});
}

TEST_CASE("status without a migration revision, without a control plane, with label problems") {
  Mesh mesh;
  mesh.remove("asm-1-mcroot");
  mesh.remove("asm-1-meshca");
  mesh.namespaces.push_back(ns("both", R"("istio-injection":"enabled","istio.io/rev":"asm-1")"));
  mesh.namespaces.push_back(ns("lost", R"("istio.io/rev":"asm-0")"));
  auto alone = mesh.status();
  CHECK(alone.phase == "not-started");
  CHECK(alone.next.at(0).find("ca-migration-citadel") != std::string::npos);
  REQUIRE(alone.warnings.size() == 2);
  CHECK(alone.warnings[0].starts_with("namespace/both: both istio-injection and istio.io/rev"));
  CHECK(alone.warnings[1] ==
        "namespace/lost: istio.io/rev=asm-0 names no control plane: its new pods get no sidecar");

  Mesh empty;
  empty.deployments.clear();
  empty.webhooks.clear();
  CHECK(empty.status().phase == "no-control-plane");
}

TEST_CASE("status output: text tables, JSON and YAML with stable fields") {
  const meshca::MeshStatus status = Mesh().status();
  const std::string text = meshca::render_status_text(status);
  CHECK(text.find("REVISION       ISSUER    ISTIOD   GATEWAYS                   TAGS      "
                  "NAMESPACES   PODS\n") != std::string::npos);
  CHECK(text.find("asm-1          CITADEL   2/2      istio-ingressgateway 2/2   default   2        "
                  "    3\n") != std::string::npos);
  CHECK(text.find("bookinfo    istio-injection=enabled   asm-1      asm-1: 2\n") !=
        std::string::npos);
  CHECK(text.find("CA secrets in istio-system: cacerts, istio-ca-secret\n") != std::string::npos);
  CHECK(text.find("Phase: ready-to-relabel (round 1): every namespace uses asm-1;") !=
        std::string::npos);
  CHECK(text.find("Next:\n  kubectl meshca relabel ns --all --revision asm-1-mcroot") !=
        std::string::npos);

  const auto json = parse(meshca::render_status_json(status));
  CHECK(std::string(json["kind"].GetString()) == "MeshStatus");
  CHECK(std::string(json["phase"].GetString()) == "ready-to-relabel");
  CHECK(json["round"].GetInt() == 1);
  CHECK(json["revisions"][0]["istiod"]["ready"].GetInt() == 2);
  CHECK(std::string(json["namespaces"][0]["labels"]["istio-injection"].GetString()) == "enabled");
  CHECK(json["namespaces"][0]["pods"]["asm-1"].GetInt() == 2);
  CHECK(json["caSecrets"].Size() == 2);
  CHECK(std::string(json["tags"][0]["revision"].GetString()) == "asm-1");

  const std::string yaml = meshca::render_status_yaml(status);
  CHECK(yaml.find("kind: MeshStatus\nphase: ready-to-relabel\nround: 1\n") == 0);
}

TEST_CASE("the status snapshot reads lists only and never a Secret's keys") {
  meshca::testing::RecordingKubectl kubectl;
  const Mesh mesh;
  kubectl.on_success({"get", "deployments"}, list(mesh.deployments));
  kubectl.on_success({"get", "mutatingwebhookconfigurations"}, list(mesh.webhooks));
  kubectl.on_success({"get", "namespaces"}, list(mesh.namespaces));
  kubectl.on_success({"get", "--raw"}, list(mesh.pods));
  kubectl.on_success({"get", "pods", "-n", "istio-system"}, list({}));
  kubectl.on_failure({"get", "istiooperators.install.istio.io"},
                     "error: the server doesn't have a resource type \"istiooperators\"\n");
  kubectl.on_success({"get", "secret"}, "istio-ca-secret  Um9vdA==\n"); // name, roots only
  kubectl.on_success({"get", "configmaps", "-n", "istio-system"}, list({}));
  auto snapshot = meshca::read_status_snapshot(kubectl);
  REQUIRE(snapshot.ok());
  CHECK(snapshot->ca_secrets == std::vector<std::string>{"istio-ca-secret"});
  CHECK(snapshot->inputs().operators == nullptr);
  CHECK(kubectl.called(meshca::ca_secret_roots_args()));
  for (const auto& call : kubectl.calls()) {
    CHECK_MESSAGE(call.args.front() == "get", call.line());
    if (call.args.at(1) == "secret") // printed fields only: never -o json/yaml, never a key
      CHECK_MESSAGE(call.args == meshca::ca_secret_roots_args(), call.line());
  }

  kubectl.on_failure({"get", "--raw"},
                     "error: You must be logged in to the server (Unauthorized)\n");
  auto failed = meshca::read_status_snapshot(kubectl);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().status == meshca::ExitStatus::cluster_error);
}

TEST_CASE(
    "status never advises the Mesh CA revision while a sidecar or gateway trusts only Citadel") {
  Mesh mesh;
  // shop moved to the Mesh CA revision early; bookinfo and the gateway are still Citadel-only.
  mesh.namespaces = {ns("bookinfo", R"("istio.io/rev":"asm-1")"),
                     ns("shop", R"("istio.io/rev":"asm-1-meshca")")};
  auto early = mesh.status();
  CHECK(early.phase == "relabelling");
  CHECK(early.round == 1);
  CHECK(early.summary.find("round 1 has not finished") != std::string::npos);
  CHECK(early.summary.find("bookinfo") != std::string::npos);
  CHECK(early.summary.find("gateway istio-system/istio-ingressgateway (asm-1)") !=
        std::string::npos);
  REQUIRE_FALSE(early.next.empty());
  CHECK(early.next.front().starts_with("kubectl meshca relabel ns bookinfo"));
  CHECK(early.next.front().find("--revision asm-1-mcroot") != std::string::npos);
  for (const std::string& step : early.next)
    CHECK_MESSAGE(step.find("asm-1-meshca") == std::string::npos, step);

  // Without a root-distributing revision: install one.
  mesh.operators = {iop("asm-1", ""), iop("asm-1-mcroot", ""), iop("asm-1-meshca", "GoogleCA")};
  auto no_round1 = mesh.status();
  REQUIRE_FALSE(no_round1.next.empty());
  CHECK(no_round1.next.front().find("asmcli install --ca citadel --option ca-migration-citadel") !=
        std::string::npos);
}

TEST_CASE("status names a mesh that already cannot authenticate itself, and the repair") {
  Mesh mesh;
  mesh.namespaces = {ns("bookinfo", R"("istio.io/rev":"asm-1")"),
                     ns("shop", R"("istio.io/rev":"asm-1-meshca")")};
  mesh.pods = {pod("bookinfo", "productpage-1", "asm-1"),
               pod("shop", "frontend-2", "asm-1-meshca")};
  auto broken = mesh.status();
  INFO(broken.summary);
  CHECK(broken.phase == "mtls-broken");
  CHECK(broken.summary.find("1 sidecar(s) of asm-1-meshca hold MESHCA certificates (shop (1))") !=
        std::string::npos);
  CHECK(broken.summary.find("of asm-1 reject: they trust only [CITADEL] (bookinfo (1), gateway "
                            "istio-system/istio-ingressgateway (2))") != std::string::npos);
  REQUIRE_FALSE(broken.warnings.empty());
  CHECK(broken.warnings.front().starts_with("mTLS broken: "));
  REQUIRE_FALSE(broken.next.empty());
  CHECK(broken.next.front() == "kubectl meshca relabel ns bookinfo --revision asm-1-mcroot -o name "
                               "| kubectl meshca rollout -");
}

TEST_CASE("status: a clean round 1 mesh is ready for the Mesh CA revision") {
  Mesh mesh;
  mesh.move_all("asm-1-mcroot");
  mesh.remove("asm-1");
  auto ready = mesh.status();
  CHECK(ready.phase == "ready-to-relabel");
  CHECK(ready.round == 2);
  CHECK(ready.next ==
        std::vector<std::string>{"kubectl meshca check-root -A --require CITADEL,MESHCA",
                                 "kubectl meshca relabel ns --all --revision asm-1-meshca -o name "
                                 "| kubectl meshca rollout -"});
}
