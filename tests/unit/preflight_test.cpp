// Preflight's checks, pure: a cluster written as the JSON kubectl returns, real certificates
// (the Istio self-signed root, Istio's sample root, the Mesh CA root asmcli distributes).
#include "meshca/checks/preflight.h"
#include "meshca/checks/preflight_gate.h"
#include "meshca/commands/preflight/preflight_cli.h"
#include "meshca/commands/preflight/preflight_output.h"

#include <doctest/doctest.h>
#include <fstream>
#include <iterator>
#include <map>

namespace {

using namespace meshca;

std::string sample(const std::string& name) {
  std::ifstream in(std::string(MESHCA_SAMPLES_DIR) + "/" + name);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  REQUIRE(text.find("BEGIN CERTIFICATE") != std::string::npos);
  return text;
}

std::string citadel_root() {
  return sample("istio-selfsigned-root_O-cluster.local_root-cert.pem");
}
std::string other_citadel_root() {
  return sample("istio-samples-certs_root-cert.pem");
}
std::string meshca_root() {
  return sample("meshca_root_istio_v1_cloud_workload_root-signer-0-2018-04-25.pem");
}

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '"' || c == '\\')
      out += std::string("\\") + c;
    else
      out += c;
  }
  return out;
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

// A revision as asmcli installs it.
struct Rev {
  std::string name;
  std::map<std::string, std::string> env; // istiod's
  std::string mesh;                       // the mesh config YAML
  std::string ca_name = "Citadel";        // IstioOperator values.global.caName
  int ready = 1;
};

Rev plain(const std::string& name) {
  return {name, {}, "trustDomain: cluster.local\n"};
}

Rev round1(const std::string& name) {
  std::string mesh = "defaultConfig:\n  proxyMetadata:\n    PROXY_CONFIG_XDS_AGENT: true\n"
                     "trustDomain: cluster.local\ncaCertificates:\n- pem: |\n";
  std::string pem = meshca_root();
  for (std::size_t at = 0; at < pem.size();) {
    const std::size_t end = pem.find('\n', at);
    mesh += "    " + pem.substr(at, end - at) + "\n";
    at = end + 1;
  }
  return {name, {{"ISTIO_MULTIROOT_MESH", "true"}}, mesh};
}

Rev round2(const std::string& name) {
  return {name,
          {{"ISTIO_MULTIROOT_MESH", "true"}, {"ENABLE_CA_SERVER", "false"}},
          "defaultConfig:\n  proxyMetadata:\n    PROXY_CONFIG_XDS_AGENT: \"true\"\n"
          "trustDomain: acme.svc.id.goog\ntrustDomainAliases:\n- cluster.local\n",
          "GoogleCA"};
}

struct Cluster {
  std::vector<Rev> revisions;
  std::vector<std::pair<std::string, std::string>> tags;       // tag -> revision
  std::vector<std::pair<std::string, std::string>> namespaces; // name -> labels JSON
  std::map<std::string, std::string> root_certs;               // namespace -> PEM
  std::map<std::string, std::string> secrets = {{"istio-ca-secret", citadel_root()}};
  std::vector<std::pair<std::string, std::string>> gateways; // name -> revision
  std::string failure_policy = "Fail";
  std::vector<std::string> missing_services; // webhook Services that do not exist

  PreflightSnapshot snapshot() const {
    std::vector<std::string> deployments, webhooks, config_maps, operators, services, pods;
    for (const Rev& rev : revisions) {
      std::string env;
      for (const auto& [key, value] : rev.env)
        env += std::string(env.empty() ? "" : ",") + R"({"name":")" + key + R"(","value":")" +
               value + "\"}";
      deployments.push_back(
          R"({"metadata":{"name":"istiod-)" + rev.name +
          R"(","namespace":"istio-system","creationTimestamp":"2024-01-0)" +
          std::to_string(deployments.size() + 1) +
          R"(T00:00:00Z","labels":{"app":"istiod","istio.io/rev":")" + rev.name +
          R"("}},"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"discovery","env":[)" +
          env + R"(]}]}}},"status":{"readyReplicas":)" + std::to_string(rev.ready) + "}}");
      operators.push_back(R"({"metadata":{"name":"installed-state-)" + rev.name +
                          R"("},"spec":{"revision":")" + rev.name +
                          R"(","values":{"global":{"caName":")" + rev.ca_name + R"("}}}})");
      config_maps.push_back(R"({"metadata":{"name":"istio-)" + rev.name +
                            R"(","namespace":"istio-system"},"data":{"mesh":")" +
                            escaped(rev.mesh) + "\"}}");
      webhooks.push_back(webhook("istio-sidecar-injector-" + rev.name, rev.name, ""));
      const bool missing = std::find(missing_services.begin(), missing_services.end(),
                                     "istiod-" + rev.name) != missing_services.end();
      if (!missing)
        services.push_back(
            R"({"metadata":{"name":"istiod-)" + rev.name +
            R"(","namespace":"istio-system"},"spec":{"selector":{"app":"istiod","istio.io/rev":")" +
            rev.name + R"("}}})");
      if (rev.ready > 0)
        pods.push_back(
            R"({"metadata":{"name":"istiod-)" + rev.name +
            R"(-1","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":")" +
            rev.name +
            R"("}},"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}})");
    }
    for (const auto& [tag, rev] : tags)
      webhooks.push_back(webhook("istio-revision-tag-" + tag, rev, tag));
    for (const auto& [name, rev] : gateways)
      deployments.push_back(R"({"metadata":{"name":")" + name +
                            R"(","namespace":"istio-system","labels":{"app":")" + name +
                            R"(","istio.io/rev":")" + rev +
                            R"("}},"spec":{"replicas":1},"status":{"readyReplicas":1}})");
    std::vector<std::string> ns_items;
    for (const auto& [name, labels] : namespaces)
      ns_items.push_back(R"({"metadata":{"name":")" + name + R"(","labels":{)" + labels + "}}}");
    PreflightSnapshot snapshot;
    snapshot.status.deployments = parse(list(deployments));
    snapshot.status.webhooks = parse(list(webhooks));
    snapshot.status.namespaces = parse(list(ns_items));
    snapshot.status.control_plane_pods = parse(list(pods));
    auto sidecars = meshca::select_sidecar_pods(snapshot.status.control_plane_pods, true);
    REQUIRE(sidecars.ok());
    snapshot.status.sidecars = std::move(*sidecars);
    snapshot.status.operators = parse(list(operators));
    snapshot.status.config_maps = parse(list(config_maps));
    for (const auto& [name, pem] : secrets)
      snapshot.status.ca_secrets.push_back(name);
    snapshot.services = parse(list(services));
    snapshot.root_certs = root_certs;
    snapshot.ca_secret_roots = secrets;
    return snapshot;
  }

  std::string webhook(const std::string& name, const std::string& rev,
                      const std::string& tag) const {
    std::string labels = R"("istio.io/rev":")" + rev + "\"";
    if (!tag.empty())
      labels += R"(,"istio.io/tag":")" + tag + "\"";
    const std::string selector =
        tag == "default" ? R"("namespaceSelector":{"matchLabels":{"istio-injection":"enabled"}},)"
                         : "";
    return R"({"metadata":{"name":")" + name + R"(","labels":{)" + labels +
           R"(}},"webhooks":[{"name":"rev.namespace.sidecar-injector.istio.io",)" + selector +
           R"("failurePolicy":")" + failure_policy +
           R"(","clientConfig":{"service":{"namespace":"istio-system","name":"istiod-)" + rev +
           R"(","path":"/inject"}}}]})";
  }
};

// A Citadel mesh on `old` with round 1's revision `mcroot` installed, namespace shop on old.
Cluster citadel_mesh() {
  Cluster cluster;
  cluster.revisions = {plain("old"), round1("mcroot")};
  cluster.tags = {{"default", "old"}};
  cluster.namespaces = {{"shop", R"("istio.io/rev":"old")"}};
  cluster.root_certs = {{"istio-system", citadel_root()}, {"shop", citadel_root()}};
  return cluster;
}

const MeshCaRecognizer& recognizer() {
  static const MeshCaRecognizer by_cn = MeshCaRecognizer::by_subject_cn("test");
  return by_cn;
}

PreflightReport evaluate(const Cluster& cluster, PreflightRequest request = {}) {
  const PreflightSnapshot snapshot = cluster.snapshot();
  auto report = evaluate_preflight(snapshot, request, recognizer());
  REQUIRE(report);
  return *report;
}

std::vector<PreflightCheck> with(const PreflightReport& report, CheckResult result) {
  std::vector<PreflightCheck> found;
  for (const PreflightGroup& group : report.groups)
    for (const PreflightCheck& check : group.checks)
      if (check.result == result)
        found.push_back(check);
  return found;
}

bool has(const std::vector<PreflightCheck>& checks, const std::string& text) {
  for (const PreflightCheck& check : checks)
    if (check.text.find(text) != std::string::npos || check.fix.find(text) != std::string::npos)
      return true;
  return false;
}

} // namespace

TEST_CASE("preflight: a correctly installed round-1 revision passes, the step from status") {
  const PreflightReport report = evaluate(citadel_mesh());
  CHECK(report.step == PreflightStep::round1);
  CHECK(report.revision == "mcroot");
  CHECK(report.step_source == "the next step: phase ready-to-relabel");
  CHECK(with(report, CheckResult::failure).empty());
  const auto ok = with(report, CheckResult::ok);
  CHECK(has(ok, "mcroot: istiod env ISTIO_MULTIROOT_MESH=true"));
  CHECK(has(ok, "PROXY_CONFIG_XDS_AGENT=true"));
  CHECK(has(ok, "meshConfig.caCertificates holds [MESHCA]: 1 root"));
  CHECK(has(ok, "shop (istio.io/rev=old) → old: istio-ca-root-cert holds [CITADEL]: 1 root"));
  CHECK(has(ok, "the root istiod signs with, the Citadel root sidecars trust (ConfigMap "
                "istio-system/istio-ca-root-cert)"));
  CHECK(report.verdict() == "round1 to mcroot: ready");
  CHECK_FALSE(report.blocked());
}

TEST_CASE("preflight: each round-1 setting missing on the revision is a failure with its fix") {
  struct Case {
    const char* what;
    void (*breaks)(Rev&);
    const char* message;
  };
  const Case cases[] = {
      {"multi-root", [](Rev& r) { r.env.erase("ISTIO_MULTIROOT_MESH"); },
       "mcroot: istiod env ISTIO_MULTIROOT_MESH is not true"},
      {"xds agent",
       [](Rev& r) {
         r.mesh.replace(r.mesh.find("PROXY_CONFIG_XDS_AGENT: true"), 28,
                        "PROXY_CONFIG_XDS_AGENT: false");
       },
       "PROXY_CONFIG_XDS_AGENT is not true"},
      {"no Mesh CA root", [](Rev& r) { r.mesh = r.mesh.substr(0, r.mesh.find("caCertificates:")); },
       "meshConfig.caCertificates holds no Mesh CA root (it is empty"},
      {"a Citadel root instead",
       [](Rev& r) {
         r.mesh = r.mesh.substr(0, r.mesh.find("caCertificates:")) +
                  "caCertificates:\n- pem: |\n    " +
                  [] {
                    std::string pem = citadel_root(), out;
                    for (char c : pem)
                      out += c == '\n' ? std::string("\n    ") : std::string(1, c);
                    return out;
                  }() +
                  "\n";
       },
       "holds no Mesh CA root ([CITADEL]: 1 root"},
      {"CA server off", [](Rev& r) { r.env["ENABLE_CA_SERVER"] = "false"; },
       "istiod env ENABLE_CA_SERVER=false"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    Cluster cluster = citadel_mesh();
    c.breaks(cluster.revisions[1]);
    const PreflightReport report = evaluate(cluster, {PreflightStep::round1, "mcroot"});
    const auto failures = with(report, CheckResult::failure);
    CHECK(has(failures, c.message));
    CHECK(has(failures, "--option ca-migration-citadel"));
    for (const PreflightCheck& failure : failures)
      CHECK(failure.object == "revision mcroot");
    CHECK(report.blocked());
  }
}

TEST_CASE("preflight: an unparsable caCertificates PEM is a failure naming it") {
  Cluster cluster = citadel_mesh();
  cluster.revisions[1].mesh += "- pem: |\n    -----BEGIN CERTIFICATE-----\n    bm90IGEgY2VydA==\n"
                               "    -----END CERTIFICATE-----\n";
  const PreflightReport report = evaluate(cluster, {PreflightStep::round1, "mcroot"});
  CHECK(has(with(report, CheckResult::failure), "meshConfig.caCertificates[1] of revision mcroot"));
}

TEST_CASE("preflight: round 2 needs every ca-migration-meshca setting, the alias above all") {
  Cluster cluster = citadel_mesh();
  cluster.revisions.push_back(round2("meshca"));
  CHECK(with(evaluate(cluster, {PreflightStep::round2, "meshca"}), CheckResult::failure).empty());

  Cluster no_alias = cluster;
  no_alias.revisions[2].mesh = "defaultConfig:\n  proxyMetadata:\n    PROXY_CONFIG_XDS_AGENT: "
                               "\"true\"\ntrustDomain: acme.svc.id.goog\n";
  auto failures = with(evaluate(no_alias, {PreflightStep::round2, "meshca"}), CheckResult::failure);
  REQUIRE(failures.size() == 1);
  CHECK(has(failures, "meshConfig.trustDomainAliases does not hold cluster.local"));
  CHECK(has(failures, "trustDomainAliases: [cluster.local]"));

  Cluster ca_on = cluster;
  ca_on.revisions[2].env.erase("ENABLE_CA_SERVER");
  CHECK(has(with(evaluate(ca_on, {PreflightStep::round2, "meshca"}), CheckResult::failure),
            "istiod env ENABLE_CA_SERVER is not false"));

  Cluster local_td = cluster;
  local_td.revisions[2].mesh = "defaultConfig:\n  proxyMetadata:\n    PROXY_CONFIG_XDS_AGENT: "
                               "\"true\"\ntrustDomainAliases: [cluster.local]\n";
  CHECK(has(with(evaluate(local_td, {PreflightStep::round2, "meshca"}), CheckResult::failure),
            "meshConfig.trustDomain is not set"));

  // A Citadel revision is no round-2 target.
  CHECK(has(with(evaluate(cluster, {PreflightStep::round2, "mcroot"}), CheckResult::failure),
            "mcroot: does not issue Mesh CA certificates (CITADEL"));
}

TEST_CASE("preflight: a namespace without istio-ca-root-cert blocks a round, warns otherwise") {
  Cluster cluster = citadel_mesh();
  cluster.root_certs.erase("shop");
  const auto failures =
      with(evaluate(cluster, {PreflightStep::round1, std::nullopt}), CheckResult::failure);
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].object == "namespace shop");
  CHECK(has(failures, "no ConfigMap istio-ca-root-cert, so new sidecar pods never start "
                      "(Init:0/1 or ContainerCreating"));
  CHECK(has(failures, "rollout restart deployment/istiod-old"));
  CHECK(has(with(evaluate(cluster, {PreflightStep::cleanup, std::nullopt}), CheckResult::warning),
            "no ConfigMap istio-ca-root-cert"));

  Cluster garbage = citadel_mesh();
  garbage.root_certs["shop"] = "not a certificate";
  CHECK(has(with(evaluate(garbage), CheckResult::failure), "ConfigMap shop/istio-ca-root-cert"));

  Cluster meshca_only = citadel_mesh();
  meshca_only.root_certs["shop"] = meshca_root();
  CHECK(has(with(evaluate(meshca_only), CheckResult::failure),
            "istio-ca-root-cert holds [MESHCA]: 1 root, but istiod-old signs with the Citadel "
            "root"));
}

TEST_CASE("preflight: a webhook that reaches no istiod fails pod creation (Fail) or warns") {
  Cluster cluster = citadel_mesh();
  cluster.missing_services = {"istiod-old"};
  auto failures = with(evaluate(cluster), CheckResult::failure);
  CHECK(has(failures, "istio-revision-tag-default (tag default → old): service "
                      "istio-system/istiod-old not found, so pod creation fails"));
  CHECK(has(failures, "istioctl tag set default --revision mcroot --overwrite"));

  Cluster not_ready = citadel_mesh();
  not_ready.revisions[0].ready = 0;
  CHECK(has(with(evaluate(not_ready), CheckResult::failure),
            "service istio-system/istiod-old has no ready endpoint"));

  Cluster ignore = citadel_mesh();
  ignore.missing_services = {"istiod-old"};
  ignore.failure_policy = "Ignore";
  CHECK(has(with(evaluate(ignore), CheckResult::warning), "created without a sidecar"));
  CHECK(with(evaluate(ignore), CheckResult::failure).empty());
}

TEST_CASE("preflight: the CA secrets must be there, with the root the sidecars trust") {
  Cluster none = citadel_mesh();
  none.secrets.clear();
  CHECK(has(with(evaluate(none), CheckResult::failure),
            "neither cacerts nor istio-ca-secret is in istio-system while mcroot, old run Istio's "
            "own CA"));

  Cluster replaced = citadel_mesh();
  replaced.secrets["istio-ca-secret"] = other_citadel_root();
  CHECK(has(with(evaluate(replaced), CheckResult::failure),
            "not the Citadel root the sidecars trust"));

  Cluster plug_in = citadel_mesh(); // cacerts wins: its root is the one compared
  plug_in.secrets["cacerts"] = citadel_root();
  plug_in.secrets["istio-ca-secret"] = other_citadel_root();
  const PreflightReport report = evaluate(plug_in);
  CHECK(with(report, CheckResult::failure).empty());
  CHECK(has(with(report, CheckResult::ok), "present; istiod signs with cacerts, which wins"));
}

TEST_CASE("preflight: a prune is blocked by a tag and a gateway on the revision") {
  Cluster cluster = citadel_mesh();
  cluster.namespaces = {{"shop", R"("istio.io/rev":"mcroot")"}};
  cluster.gateways = {{"istio-ingressgateway", "old"}};
  const PreflightReport report = evaluate(cluster, {PreflightStep::prune, "old"});
  CHECK(report.verdict().rfind("prune of old: 2 failures block it", 0) == 0);
  const auto failures = with(report, CheckResult::failure);
  CHECK(has(failures, "the tag points at old, which the prune removes"));
  CHECK(has(failures, "istio-system/istio-ingressgateway on old (1/1 ready): prune-revision "
                      "deletes it"));
}

TEST_CASE("preflight: the cleanup waits for every revision running Istio's CA") {
  Cluster cluster;
  cluster.revisions = {round2("meshca"), plain("old")};
  cluster.namespaces = {{"shop", R"("istio.io/rev":"meshca")"}};
  cluster.root_certs = {{"istio-system", citadel_root()}, {"shop", citadel_root()}};
  const auto failures =
      with(evaluate(cluster, {PreflightStep::cleanup, std::nullopt}), CheckResult::failure);
  CHECK(has(failures, "old runs Istio's own CA"));
  CHECK(has(failures, "kubectl meshca prune-revision old"));
  cluster.revisions.pop_back();
  const PreflightReport clean = evaluate(cluster, {PreflightStep::cleanup, std::nullopt});
  CHECK_FALSE(clean.blocked());
  CHECK(
      has(with(clean, CheckResult::ok), "istio-ca-secret present: cleanup-secrets backs them up"));
}

TEST_CASE("preflight: --revision must name an installed revision or tag") {
  const PreflightSnapshot snapshot = citadel_mesh().snapshot();
  auto unknown = evaluate_preflight(snapshot, {PreflightStep::round1, "nope"}, recognizer());
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().status == ExitStatus::bad_input);
  CHECK(unknown.error().message ==
        "--revision \"nope\" is not an installed revision or tag (installed: old, mcroot); "
        "kubectl meshca status lists them");
  auto tag = evaluate_preflight(snapshot, {PreflightStep::prune, "default"}, recognizer());
  REQUIRE(tag);
  CHECK(tag->revision == "old");
}

TEST_CASE("preflight gate: a move is blocked only by what it depends on") {
  Cluster cluster = citadel_mesh();
  cluster.namespaces.emplace_back("other", R"("istio.io/rev":"old")");
  cluster.root_certs.erase("other"); // another namespace's problem
  const PreflightReport report = evaluate(cluster, {PreflightStep::round1, "mcroot"});
  CHECK(report.blocked());
  CHECK(move_blockers(report, "mcroot", {"shop"}).empty());
  CHECK(move_blockers(report, "mcroot", {"shop", "other"}).size() == 1);

  Cluster broken = citadel_mesh();
  broken.revisions[1].env.clear();
  const PreflightReport broken_report = evaluate(broken, {PreflightStep::round1, "mcroot"});
  const auto blockers = move_blockers(broken_report, "mcroot", {"shop"});
  REQUIRE(blockers.size() == 1);
  PreflightGateVerdict verdict{"mcroot", PreflightStep::round1, blockers};
  const std::string refusal = preflight_refusal(verdict);
  CHECK(refusal.rfind("revision mcroot fails the preflight for round1, the round this move "
                      "starts:\n  - mcroot: istiod env ISTIO_MULTIROOT_MESH is not true",
                      0) == 0);
  CHECK(refusal.find("\nkubectl meshca preflight --for round1 --revision mcroot shows every "
                     "check; --force overrides") != std::string::npos);
}

TEST_CASE("preflight gate: the round a move starts") {
  Cluster cluster = citadel_mesh();
  cluster.revisions.push_back(round2("meshca"));
  const PreflightSnapshot snapshot = cluster.snapshot();
  const MeshStatus status = build_status(snapshot.status.inputs());
  CHECK(round_started_by(status, "mcroot") == PreflightStep::round1);
  CHECK(round_started_by(status, "meshca") == PreflightStep::round2);
  CHECK_FALSE(round_started_by(status, "old").has_value()); // a rollback starts no round
  CHECK_FALSE(round_started_by(status, "gone").has_value());
}

TEST_CASE("preflight output: brackets off a terminal, symbols and colour on one, fixes below") {
  PreflightReport report;
  report.step = PreflightStep::round1;
  report.revision = "r1";
  report.step_source = "--for";
  report.groups = {{"Things",
                    {{CheckResult::ok, "a", "fine", ""},
                     {CheckResult::failure, "b", "broken", "mend it"},
                     {CheckResult::warning, "c", "odd", "look"}}}};
  CHECK(render_preflight_text(report, {}) == "Preflight for round1 to r1 (--for)\n\n"
                                             "Things\n------\n"
                                             "[ok]   fine\n"
                                             "[FAIL] broken\n"
                                             "       fix: mend it\n"
                                             "[warn] odd\n"
                                             "       fix: look\n"
                                             "\nStatus: round1 to r1: 1 failure blocks it, 1 "
                                             "warning\n");
  const std::string symbols = render_preflight_text(report, {true, false});
  CHECK(symbols.find("\u2714 fine\n\u00d7 broken\n  fix: mend it\n! odd\n") != std::string::npos);
  CHECK(symbols.find("\033[") == std::string::npos);
  CHECK(render_preflight_text(report, {true, true}).find("\033[31m\u00d7\033[0m broken") !=
        std::string::npos);
  const std::string json = render_preflight_json(report);
  CHECK(json.find("\"kind\": \"PreflightReport\"") != std::string::npos);
  CHECK(json.find("\"blocked\": true") != std::string::npos);
  CHECK(json.find("\"result\": \"failure\"") != std::string::npos);
  CHECK(render_preflight_yaml(report).find("kind: PreflightReport\n") != std::string::npos);
}

TEST_CASE("preflight command line") {
  CHECK(parse_preflight({})->step == std::nullopt);
  CHECK(parse_preflight({"--for", "round2"})->step == PreflightStep::round2);
  CHECK(parse_preflight({"--for=prune", "--revision", "asm-1"})->revision == "asm-1");
  CHECK(parse_preflight({"-o", "yaml"})->output == OutputFormat::yaml);
  auto bad_step = parse_preflight({"--for", "round3"});
  REQUIRE_FALSE(bad_step);
  CHECK(bad_step.error().status == ExitStatus::bad_input);
  CHECK(bad_step.error().message.find("--for \"round3\" is not a step: use round1, round2, "
                                      "cleanup or prune") == 0);
  CHECK_FALSE(parse_preflight({"--for", "cleanup", "--revision", "x"}));
  CHECK_FALSE(parse_preflight({"--revision="}));
  CHECK_FALSE(parse_preflight({"-o", "name"}));
  CHECK_FALSE(parse_preflight({"extra"}));
}
