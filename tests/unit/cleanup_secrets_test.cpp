#include "meshca/commands/cleanup_secrets/cleanup_secrets.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_backup.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_cli.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_precondition.h"
#include "recording_kubectl.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <sstream>
#include <sys/stat.h>

namespace {

namespace fs = std::filesystem;
using meshca::testing::RecordedCall;
using meshca::testing::RecordingKubectl;

// Secret data as base64 ("KEY", "CERT"); must never show up in an argument.
constexpr const char* kCacerts = R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"cacerts",
 "namespace":"istio-system","uid":"6f1c","resourceVersion":"712","creationTimestamp":"2024-01-01T00:00:00Z",
 "generation":1,"selfLink":"/api/v1/namespaces/istio-system/secrets/cacerts",
 "managedFields":[{"manager":"kubectl-client-side-apply"}],
 "ownerReferences":[{"kind":"Deployment","name":"x","uid":"1"}],
 "labels":{"app":"istio"},
 "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"ca-key.pem\":\"S0VZ\"}}","note":"kept"}},
 "type":"Opaque","data":{"ca-key.pem":"S0VZ","ca-cert.pem":"Q0VSVA=="}})";
constexpr const char* kIstioCaSecret =
    R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"istio-ca-secret",
 "namespace":"istio-system","uid":"77aa","resourceVersion":"713"},
 "type":"istio.io/ca-root","data":{"ca-key.pem":"S0VZMg==","ca-cert.pem":"Q0VSVDI="}})";
constexpr const char* kIstiods =
    R"({"kind":"List","items":[{"metadata":{"name":"istiod-asm-2","namespace":"istio-system"}}]})";
constexpr const char* kMeshCaControlPlane = R"({"items":[{"metadata":{"name":"istiod-asm-2",
 "namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-2"}},
 "spec":{"template":{"spec":{"containers":[{"name":"discovery","env":[
 {"name":"CA_ADDR","value":"meshca.googleapis.com:443"}]}]}}}}]})";
constexpr const char* kNotFoundCacerts =
    "Error from server (NotFound): secrets \"cacerts\" not found\n";
constexpr const char* kNotFoundCaSecret =
    "Error from server (NotFound): secrets \"istio-ca-secret\" not found\n";

const std::vector<std::string> kGetCacerts = {"get",          "secret", "cacerts", "-n",
                                              "istio-system", "-o",     "json"};
const std::vector<std::string> kGetCaSecret = {
    "get", "secret", "istio-ca-secret", "-n", "istio-system", "-o", "json"};
const std::vector<std::string> kParse = {"create", "-f", "-", "--dry-run=client", "-o", "json"};

rapidjson::Document parse(const char* text) {
  rapidjson::Document doc;
  doc.Parse(text);
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

struct TempDir {
  std::string path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "meshca-cleanup-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { fs::remove_all(path); }
};

unsigned mode_of(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

meshca::PodReport pod(const char* name, bool trusts_meshca, meshca::CaClass issuer) {
  meshca::PodReport report;
  report.ns = "shop";
  report.name = name;
  report.trusts.citadel = true;
  report.trusts.meshca = trusts_meshca;
  meshca::WorkloadCertFacts cert;
  cert.issuer = issuer;
  report.workload = cert;
  return report;
}

bool is_mutating(const RecordedCall& call) {
  const std::string& verb = call.args.front();
  if (verb == "delete" || verb == "patch" || verb == "apply" || verb == "label" ||
      verb == "annotate")
    return true;
  if (verb == "create")
    return std::find(call.args.begin(), call.args.end(), "--dry-run=client") == call.args.end();
  return false;
}

// A cluster with both secrets, one istiod, and a kubectl that parses backups back to the Secret.
struct Fixture {
  TempDir temp;
  std::string dir = temp.path + "/backup";
  RecordingKubectl kubectl;
  std::ostringstream out, err;
  meshca::CheckRootResult check;
  meshca::Result<meshca::Confirmed> answer = meshca::Confirmed::yes;
  std::vector<std::string> questions;
  meshca::CleanupSecretsOptions options;
  bool secrets_deleted = false; // a delete was sent: the names lookup finds none

  Fixture() {
    check.pods = {pod("web-1", true, meshca::CaClass::meshca),
                  pod("web-2", true, meshca::CaClass::meshca)};
    kubectl.on_success(kGetCacerts, kCacerts);
    kubectl.on_success(kGetCaSecret, kIstioCaSecret);
    kubectl.on_success({"get", "deployments", "-n", "istio-system", "-l", "app=istiod"}, kIstiods);
    // kubectl's client-side parse of a backup: the Secret the file names.
    kubectl.on(kParse, [](const RecordedCall& call) {
      meshca::ProcessOutput output;
      output.exit_code = 0;
      output.out =
          call.input->find("name: cacerts") != std::string::npos ? kCacerts : kIstioCaSecret;
      return output;
    });
    kubectl.on_success({"patch", "deployment"}, "deployment.apps/istiod patched\n");
    kubectl.on_success({"rollout", "status"}, "successfully rolled out\n");
    kubectl.on_success({"create", "-f", "-", "-n", "istio-system"}, "secret created\n");
    // The control plane's CA configuration: one Mesh CA revision, which mints no root.
    kubectl.on_success({"get", "deployments", "--all-namespaces"}, kMeshCaControlPlane);
    kubectl.on_success({"get", "mutatingwebhookconfigurations"}, R"({"items":[]})");
    kubectl.on_success({"get", "istiooperators.install.istio.io"}, R"({"items":[]})");
    kubectl.on_success({"get", "configmaps", "-n", "istio-system"}, R"({"items":[]})");
    // The secrets' names: present until a delete was sent (the check after the restart).
    kubectl.on({"delete", "secret"}, [this](const RecordedCall&) {
      secrets_deleted = true;
      meshca::ProcessOutput output;
      output.exit_code = 0;
      output.out = "secret deleted\n";
      return meshca::Result<meshca::ProcessOutput>(output);
    });
    kubectl.on({"get", "secret", "cacerts", "istio-ca-secret"}, [this](const RecordedCall&) {
      meshca::ProcessOutput output;
      output.exit_code = 0;
      if (!secrets_deleted) // kube/kubectl_calls.h, ca_secret_roots_args: name and root
        output.out = "cacerts Um9vdA== \nistio-ca-secret  Um9vdA==\n";
      return meshca::Result<meshca::ProcessOutput>(output);
    });
    options.dir = dir;
  }

  meshca::Status run() {
    meshca::CleanupEnvironment env{
        kubectl, [this]() -> meshca::Result<meshca::CheckRootResult> { return check; },
        [this](std::string_view question) {
          questions.emplace_back(question);
          return answer;
        },
        out, err};
    return options.mode == meshca::CleanupMode::restore ? meshca::run_restore_secrets(options, env)
                                                        : meshca::run_cleanup_secrets(options, env);
  }

  // Each mutating call; istiod's restart (the restartedAt patch `kubectl rollout restart`
  // sends, with the time of the run) is shown as that command plus any --dry-run flag.
  std::vector<std::string> mutations() const {
    std::vector<std::string> lines;
    for (const RecordedCall& call : kubectl.calls()) {
      if (!is_mutating(call))
        continue;
      const auto& a = call.args;
      if (a.size() >= 9 && a[0] == "patch" && a[1] == "deployment" && a[5] == "--type" &&
          a[6] == "strategic" &&
          a[8].find("kubectl.kubernetes.io/restartedAt") != std::string::npos) {
        std::string line = "rollout restart deployment/" + a[2] + " " + a[3] + " " + a[4];
        for (std::size_t i = 9; i < a.size(); ++i)
          line += " " + a[i];
        lines.push_back(line);
      } else {
        lines.push_back(call.line());
      }
    }
    return lines;
  }

  void check_no_secret_in_arguments() const {
    for (const RecordedCall& call : kubectl.calls())
      for (const std::string& arg : call.args) {
        CHECK_MESSAGE(arg.find("S0VZ") == std::string::npos, call.line());
        CHECK_MESSAGE(arg.find("Q0VSVA") == std::string::npos, call.line());
      }
  }
};

} // namespace

TEST_CASE("cleanup-secrets argv table") {
  struct Row {
    std::vector<std::string> args;
    meshca::CleanupMode mode;
    std::string dir;
    meshca::DryRun dry_run;
    bool yes, force, no_restart;
  };
  const std::vector<Row> rows = {
      {{"--backup-dir", "b"},
       meshca::CleanupMode::cleanup,
       "b",
       meshca::DryRun::none,
       false,
       false,
       false},
      {{"--backup-dir=b", "--dry-run"},
       meshca::CleanupMode::cleanup,
       "b",
       meshca::DryRun::client,
       false,
       false,
       false},
      {{"--dry-run=server", "--backup-dir", "b"},
       meshca::CleanupMode::cleanup,
       "b",
       meshca::DryRun::server,
       false,
       false,
       false},
      {{"--backup-dir", "b", "--yes", "--force", "--no-restart"},
       meshca::CleanupMode::cleanup,
       "b",
       meshca::DryRun::none,
       true,
       true,
       true},
      {{"--backup-dir", "b", "-y", "--dry-run=none"},
       meshca::CleanupMode::cleanup,
       "b",
       meshca::DryRun::none,
       true,
       false,
       false},
      {{"--restore", "r"},
       meshca::CleanupMode::restore,
       "r",
       meshca::DryRun::none,
       false,
       false,
       false},
      {{"--restore", "r", "--dry-run", "--no-restart"},
       meshca::CleanupMode::restore,
       "r",
       meshca::DryRun::client,
       false,
       false,
       true},
  };
  for (const Row& row : rows) {
    CAPTURE(row.args);
    auto command = meshca::parse_cleanup_secrets(row.args);
    REQUIRE_MESSAGE(command.ok(), (command.ok() ? "" : command.error().message));
    CHECK(command->options.mode == row.mode);
    CHECK(command->options.dir == row.dir);
    CHECK(command->options.dry_run == row.dry_run);
    CHECK(command->options.assume_yes == row.yes);
    CHECK(command->options.force == row.force);
    CHECK(command->options.no_restart == row.no_restart);
  }
  auto bundle = meshca::parse_cleanup_secrets(
      {"--backup-dir", "b", "--meshca-bundle", "roots.pem", "--timeout", "90s"});
  REQUIRE(bundle.ok());
  CHECK(bundle->options.meshca_bundle == "roots.pem");
  CHECK(bundle->options.timeout == std::chrono::seconds(90));
  CHECK(meshca::parse_cleanup_secrets({"--help"})->common.help);
}

TEST_CASE("cleanup-secrets usage errors are bad input") {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"--backup-dir", "b", "--restore", "r"},
      {"--backup-dir", ""},
      {"--backup-dir", "b", "--dry-run=maybe"},
      {"--backup-dir", "b", "--timeout", "0"},
      {"--backup-dir", "b", "--timeout", "5d"},
      {"--backup-dir", "b", "extra"},
      {"--restore", "r", "--force"},
      {"--backup-dir", "b", "-n", "istio-system"},
  };
  for (const auto& args : bad) {
    CAPTURE(args);
    auto command = meshca::parse_cleanup_secrets(args);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == meshca::ExitStatus::bad_input);
  }
  CHECK(meshca::parse_cleanup_secrets({}).error().message.find("--backup-dir DIR is required") !=
        std::string::npos);
}

TEST_CASE("the backup manifest keeps what re-creates the Secret and drops server-set fields") {
  const auto fetched = parse(kCacerts);
  const auto manifest = meshca::secret_manifest(fetched);
  const std::string text = meshca::backup_text(manifest);
  CHECK(text.starts_with("# Secret istio-system/cacerts"));
  for (const char* kept :
       {"apiVersion: v1", "kind: Secret", "  name: cacerts", "  namespace: istio-system",
        "    app: istio", "    note: kept", "type: Opaque", "  ca-key.pem: S0VZ"})
    CHECK_MESSAGE(text.find(kept) != std::string::npos, kept);
  for (const char* dropped :
       {"uid", "resourceVersion", "creationTimestamp", "managedFields", "ownerReferences",
        "selfLink", "generation", "last-applied-configuration"})
    CHECK_MESSAGE(text.find(dropped) == std::string::npos, dropped);
  CHECK(meshca::backup_text(meshca::secret_manifest(fetched)) == text); // deterministic
}

TEST_CASE("secrets are the same when type and data match") {
  const auto a = parse(kCacerts);
  CHECK(meshca::same_secret_content(
      a, parse(R"({"type":"Opaque","data":{"ca-cert.pem":"Q0VSVA==","ca-key.pem":"S0VZ"}})")));
  CHECK(meshca::same_secret_content(parse(R"({"data":{"k":"dg=="}})"),
                                    parse(R"({"type":"Opaque","data":{"k":"dg=="}})")));
  CHECK_FALSE(
      meshca::same_secret_content(a, parse(R"({"type":"Opaque","data":{"ca-key.pem":"S0VZ"}})")));
  CHECK_FALSE(meshca::same_secret_content(a, parse(kIstioCaSecret)));
  CHECK_FALSE(
      meshca::same_secret_content(parse(R"({"type":"a","data":{}})"), parse(R"({"type":"b"})")));
}

TEST_CASE("the precondition names sidecars that still need Citadel") {
  meshca::CheckRootResult result;
  result.pods = {pod("ok-1", true, meshca::CaClass::meshca),
                 pod("old-1", false, meshca::CaClass::citadel),
                 pod("mid-1", true, meshca::CaClass::citadel)};
  meshca::PodReport broken;
  broken.ns = "shop";
  broken.name = "gone-1";
  broken.error = "exec timed out";
  result.pods.push_back(broken);
  const auto verdict = meshca::evaluate_precondition(result);
  CHECK(verdict.checked == 4);
  REQUIRE(verdict.not_ready.size() == 2);
  CHECK(verdict.not_ready[0] == "namespace shop (revision unknown): 1 sidecar trusts [CITADEL]");
  CHECK(verdict.not_ready[1] ==
        "namespace shop (revision unknown): 1 sidecar uses mTLS certificates issued by [CITADEL]");
  REQUIRE(verdict.unreadable.size() == 1);
  const meshca::Error error = meshca::precondition_error(verdict);
  CHECK(error.status == meshca::ExitStatus::check_failed);
  CHECK(error.message.find("2 of 4 sidecars still depend on the Citadel CA") != std::string::npos);
  CHECK(error.message.find("Also not checked:\n  gone-1.shop: exec timed out") !=
        std::string::npos);
  CHECK(error.message.ends_with("Use --force to delete the secrets anyway."));

  meshca::PreconditionVerdict only_unreadable;
  only_unreadable.checked = 30;
  for (int i = 0; i < 25; ++i)
    only_unreadable.unreadable.push_back("p" + std::to_string(i));
  const meshca::Error unknown = meshca::precondition_error(only_unreadable);
  CHECK(unknown.status == meshca::ExitStatus::cluster_error);
  CHECK(unknown.message.find("and 5 more") != std::string::npos);
}

TEST_CASE("cleanup: refused while a sidecar trusts only Citadel, nothing read or changed") {
  Fixture f;
  f.check.pods.push_back(pod("legacy-1", false, meshca::CaClass::citadel));
  auto result = f.run();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().status == meshca::ExitStatus::check_failed);
  CHECK(result.error().message.find(
            "namespace shop (revision unknown): 1 sidecar trusts [CITADEL]") != std::string::npos);
  CHECK(f.kubectl.calls().empty());
  CHECK(f.questions.empty());
  CHECK_FALSE(meshca::path_exists(f.dir));
}

TEST_CASE("cleanup: backs up, verifies, then deletes and restarts istiod") {
  Fixture f;
  const mode_t old_umask = ::umask(0);
  auto result = f.run();
  ::umask(old_umask);
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
  CHECK(f.mutations() ==
        std::vector<std::string>{"delete secret cacerts -n istio-system --ignore-not-found",
                                 "delete secret istio-ca-secret -n istio-system --ignore-not-found",
                                 "rollout restart deployment/istiod-asm-2 -n istio-system"});
  // Both backups were parsed back before the first delete.
  const auto calls = f.kubectl.calls();
  std::size_t last_parse = 0, first_delete = calls.size();
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (RecordingKubectl::starts_with(calls[i].args, kParse))
      last_parse = i;
    if (calls[i].args.front() == "delete" && first_delete == calls.size())
      first_delete = i;
  }
  CHECK(f.kubectl.count(kParse) == 2);
  CHECK(last_parse < first_delete);
  CHECK(f.kubectl.called(
      {"rollout", "status", "deployment/istiod-asm-2", "-n", "istio-system", "--timeout=300s"}));
  REQUIRE(f.questions.size() == 1);
  CHECK(f.questions[0] == "Delete secret/cacerts and secret/istio-ca-secret from istio-system and "
                          "restart istiod-asm-2?");
  CHECK(mode_of(f.dir) == 0700);
  CHECK(mode_of(f.dir + "/cacerts.yaml") == 0600);
  CHECK(mode_of(f.dir + "/istio-ca-secret.yaml") == 0600);
  CHECK_FALSE(meshca::path_exists(f.dir + "/restart-pending"));
  CHECK(f.out.str() == "secret/cacerts backed up to " + f.dir +
                           "/cacerts.yaml\n"
                           "secret/istio-ca-secret backed up to " +
                           f.dir +
                           "/istio-ca-secret.yaml\n"
                           "secret/cacerts deleted\n"
                           "secret/istio-ca-secret deleted\n"
                           "deployment.apps/istiod-asm-2 restarted\n"
                           "deployment.apps/istiod-asm-2 rolled out\n");
  f.check_no_secret_in_arguments();
}

TEST_CASE("cleanup --dry-run prints the plan and changes nothing") {
  Fixture f;
  f.options.dry_run = meshca::DryRun::client;
  REQUIRE(f.run().ok());
  CHECK(f.mutations().empty());
  CHECK(f.questions.empty());
  CHECK_FALSE(meshca::path_exists(f.dir));
  CHECK(f.out.str().find("secret/cacerts deleted (dry run)\n") != std::string::npos);
  CHECK(f.out.str().find("deployment.apps/istiod-asm-2 restarted (dry run)\n") !=
        std::string::npos);
  CHECK(f.out.str().find("secret/istio-ca-secret backed up to " + f.dir +
                         "/istio-ca-secret.yaml (dry run)") != std::string::npos);
}

TEST_CASE("cleanup --dry-run=server sends every change with dryRun and writes no backup") {
  Fixture f;
  f.options.dry_run = meshca::DryRun::server;
  REQUIRE(f.run().ok());
  for (const std::string& line : f.mutations())
    CHECK_MESSAGE(line.ends_with("--dry-run=server"), line);
  CHECK(f.mutations().size() == 3);
  CHECK_FALSE(f.kubectl.called({"rollout", "status"}));
  CHECK_FALSE(meshca::path_exists(f.dir));
}

TEST_CASE("cleanup with no CA secret left has nothing to do") {
  Fixture f;
  f.kubectl.on_failure(kGetCacerts, kNotFoundCacerts);
  f.kubectl.on_failure(kGetCaSecret, kNotFoundCaSecret);
  REQUIRE(f.run().ok());
  CHECK(f.mutations().empty());
  CHECK(
      f.out.str() ==
      "Nothing to do: neither secret/cacerts nor secret/istio-ca-secret exists in istio-system.\n");
  CHECK_FALSE(meshca::path_exists(f.dir));
}

TEST_CASE("cleanup backs up and deletes only the secrets that exist") {
  Fixture f;
  f.kubectl.on_failure(kGetCacerts, kNotFoundCacerts);
  REQUIRE(f.run().ok());
  CHECK(f.mutations() ==
        std::vector<std::string>{"delete secret istio-ca-secret -n istio-system --ignore-not-found",
                                 "rollout restart deployment/istiod-asm-2 -n istio-system"});
  CHECK_FALSE(meshca::path_exists(f.dir + "/cacerts.yaml"));
  CHECK(meshca::path_exists(f.dir + "/istio-ca-secret.yaml"));
}

TEST_CASE("cleanup without confirmation changes nothing") {
  Fixture f;
  f.answer = meshca::Confirmed::no;
  auto declined = f.run();
  REQUIRE_FALSE(declined.ok());
  CHECK(declined.error().status == meshca::ExitStatus::check_failed);
  CHECK(f.mutations().empty());
  CHECK_FALSE(meshca::path_exists(f.dir));

  Fixture g;
  g.answer =
      meshca::bad_input("Delete ... needs --yes when not run from a terminal; nothing was changed");
  auto no_terminal = g.run();
  REQUIRE_FALSE(no_terminal.ok());
  CHECK(no_terminal.error().status == meshca::ExitStatus::bad_input);
  CHECK(g.mutations().empty());
  CHECK_FALSE(meshca::path_exists(g.dir));
}

TEST_CASE("cleanup refuses a folder holding another backup, before asking") {
  Fixture f;
  REQUIRE(meshca::ensure_private_dir(f.dir).ok());
  REQUIRE(meshca::write_private_file(f.dir, "cacerts.yaml", "an older CA\n").ok());
  auto result = f.run();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().status == meshca::ExitStatus::bad_input);
  CHECK(result.error().message.find("holds a backup of other content") != std::string::npos);
  CHECK(f.questions.empty());
  CHECK(f.mutations().empty());
  CHECK(*meshca::read_whole_file(f.dir + "/cacerts.yaml") == "an older CA\n");
}

TEST_CASE("cleanup deletes nothing when a backup does not re-create its secret") {
  Fixture f;
  f.kubectl.on_success(
      kParse,
      R"({"kind":"Secret","metadata":{"name":"cacerts","namespace":"istio-system"},"data":{"ca-key.pem":"b3RoZXI="}})");
  auto result = f.run();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().status == meshca::ExitStatus::cluster_error);
  CHECK(result.error().message.find(
            "does not re-create the data of secret cacerts; nothing was deleted") !=
        std::string::npos);
  CHECK(f.mutations().empty());
}

TEST_CASE("a delete that fails after the backup is finished by a re-run") {
  Fixture f;
  f.kubectl.on_failure({"delete", "secret", "istio-ca-secret"},
                       "Error from server (InternalError): etcd timeout\n");
  auto first = f.run();
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().status == meshca::ExitStatus::cluster_error);
  CHECK(first.error().message.find("re-run the same command to finish") != std::string::npos);
  CHECK(meshca::path_exists(f.dir + "/cacerts.yaml"));
  CHECK(meshca::path_exists(f.dir + "/istio-ca-secret.yaml"));
  CHECK(meshca::path_exists(f.dir + "/restart-pending"));
  CHECK_FALSE(f.kubectl.called({"patch", "deployment"}));

  // The re-run: cacerts is gone, istio-ca-secret is still there and its backup is reused.
  f.kubectl.on_failure(kGetCacerts, kNotFoundCacerts);
  f.kubectl.on_success({"delete", "secret", "istio-ca-secret"}, "deleted\n");
  f.kubectl.clear_calls();
  f.out.str("");
  auto second = f.run();
  REQUIRE_MESSAGE(second.ok(), (second.ok() ? "" : second.error().message));
  CHECK(f.out.str().find("secret/istio-ca-secret already backed up in " + f.dir +
                         "/istio-ca-secret.yaml\n") != std::string::npos);
  CHECK(f.mutations() ==
        std::vector<std::string>{"delete secret istio-ca-secret -n istio-system --ignore-not-found",
                                 "rollout restart deployment/istiod-asm-2 -n istio-system"});
  CHECK_FALSE(meshca::path_exists(f.dir + "/restart-pending"));
}

TEST_CASE("a restart that failed after the deletes is finished by a re-run") {
  Fixture f;
  f.kubectl.on_failure({"rollout", "status"}, "error: timed out waiting for the condition\n");
  auto first = f.run();
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().message.find(
            "kubectl rollout status deployment/istiod-asm-2 -n istio-system") != std::string::npos);
  CHECK(meshca::path_exists(f.dir + "/restart-pending"));

  f.kubectl.on_failure(kGetCacerts, kNotFoundCacerts);
  f.kubectl.on_failure(kGetCaSecret, kNotFoundCaSecret);
  f.kubectl.on_success({"rollout", "status"}, "rolled out\n");
  f.kubectl.clear_calls();
  REQUIRE(f.run().ok());
  CHECK(f.mutations() ==
        std::vector<std::string>{"rollout restart deployment/istiod-asm-2 -n istio-system"});
  CHECK_FALSE(meshca::path_exists(f.dir + "/restart-pending"));
}

TEST_CASE("cleanup --force proceeds past the check and says what it overrode") {
  Fixture f;
  f.options.force = true;
  f.options.no_restart = true;
  f.check.pods.push_back(pod("legacy-1", false, meshca::CaClass::citadel));
  REQUIRE(f.run().ok());
  CHECK(f.err.str().find(
            "warning: --force: namespace shop (revision unknown): 1 sidecar trusts [CITADEL]") !=
        std::string::npos);
  CHECK(f.mutations().size() == 2); // the deletes; --no-restart
  CHECK_FALSE(meshca::path_exists(f.dir + "/restart-pending"));
  CHECK(f.questions.at(0) == "Delete secret/cacerts and secret/istio-ca-secret from istio-system?");
}

TEST_CASE("restore re-creates missing secrets from the backup on stdin and restarts istiod") {
  Fixture f;
  REQUIRE(f.run().ok()); // makes the backup
  f.kubectl.on_failure(kGetCacerts, kNotFoundCacerts);
  f.kubectl.on_failure(kGetCaSecret, kNotFoundCaSecret);
  f.kubectl.clear_calls();
  f.out.str("");
  f.options.mode = meshca::CleanupMode::restore;
  REQUIRE(f.run().ok());
  CHECK(f.mutations() ==
        std::vector<std::string>{"create -f - -n istio-system", "create -f - -n istio-system",
                                 "rollout restart deployment/istiod-asm-2 -n istio-system"});
  const auto creates = f.kubectl.calls_with({"create", "-f", "-", "-n"});
  REQUIRE(creates.size() == 2);
  CHECK(creates[0].input == *meshca::read_whole_file(f.dir + "/cacerts.yaml"));
  CHECK(f.out.str().starts_with("secret/cacerts created from " + f.dir + "/cacerts.yaml\n"));
  f.check_no_secret_in_arguments();
}

TEST_CASE("restore leaves an identical secret alone and refuses a different one") {
  Fixture f;
  REQUIRE(f.run().ok());
  f.options.mode = meshca::CleanupMode::restore;
  f.options.no_restart = true;
  f.kubectl.clear_calls();
  REQUIRE(f.run().ok()); // both still there with the same data
  CHECK(f.mutations().empty());
  CHECK(f.out.str().find("secret/cacerts already present (same data as") != std::string::npos);

  f.kubectl.on_success(
      kGetCacerts,
      R"({"kind":"Secret","metadata":{"name":"cacerts"},"type":"Opaque","data":{"ca-key.pem":"TkVX"}})");
  f.kubectl.clear_calls();
  auto different = f.run();
  REQUIRE_FALSE(different.ok());
  CHECK(different.error().status == meshca::ExitStatus::check_failed);
  CHECK(different.error().message.find("exists in istio-system with other data") !=
        std::string::npos);
  CHECK(f.mutations().empty());
}

TEST_CASE("restore from a folder without a backup is bad input") {
  Fixture f;
  f.options.mode = meshca::CleanupMode::restore;
  auto missing = f.run();
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().status == meshca::ExitStatus::bad_input);
  REQUIRE(meshca::ensure_private_dir(f.dir).ok());
  auto empty = f.run();
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message.find("no backup there") != std::string::npos);
  REQUIRE(meshca::write_private_file(f.dir, "cacerts.yaml", "kind: ConfigMap\n").ok());
  f.kubectl.on_success(kParse, R"({"kind":"ConfigMap","metadata":{"name":"cacerts"}})");
  auto wrong = f.run();
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().status == meshca::ExitStatus::bad_input);
  CHECK(wrong.error().message.find(
            "expected the Secret cacerts in istio-system, found ConfigMap cacerts") !=
        std::string::npos);
  CHECK(f.mutations().empty());
}

constexpr const char* kCitadelAndMeshCa = R"({"items":[
 {"metadata":{"name":"istiod-asm-1","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-1"}},
  "spec":{"template":{"spec":{"containers":[{"name":"discovery"}]}}}},
 {"metadata":{"name":"istiod-asm-2","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-2"}},
  "spec":{"template":{"spec":{"containers":[{"name":"discovery","env":[
  {"name":"CA_ADDR","value":"meshca.googleapis.com:443"}]}]}}}}]})";

TEST_CASE("cleanup is refused while an installed revision runs Istio's own CA") {
  Fixture f;
  f.kubectl.on_success({"get", "deployments", "--all-namespaces"}, kCitadelAndMeshCa);
  auto result = f.run();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().status == meshca::ExitStatus::check_failed);
  CHECK(result.error().message.find("revision asm-1: its CA cannot be told") != std::string::npos);
  CHECK(result.error().message.find("kubectl meshca prune-revision asm-1") != std::string::npos);
  CHECK(result.error().message.find("asm-2") == std::string::npos); // Mesh CA mints no root
  CHECK(f.mutations().empty());
  CHECK(f.questions.empty());
  CHECK_FALSE(meshca::path_exists(f.dir));
}

TEST_CASE("an istiod running Istio's own CA but with ENABLE_CA_SERVER=false is no obstacle") {
  Fixture f;
  f.kubectl.on_success({"get", "deployments", "--all-namespaces"}, R"({"items":[
   {"metadata":{"name":"istiod-asm-1","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-1"}},
    "spec":{"template":{"spec":{"containers":[{"name":"discovery","env":[
    {"name":"ENABLE_CA_SERVER","value":"false"}]}]}}}}]})");
  REQUIRE(f.run().ok());
}

TEST_CASE("--force overrides the refusal, never the check after the restart") {
  Fixture f;
  f.options.force = true;
  f.kubectl.on_success({"get", "deployments", "--all-namespaces"}, kCitadelAndMeshCa);
  // istiod-asm-1 mints a new root when it restarts without the secrets.
  f.kubectl.on({"get", "secret", "cacerts", "istio-ca-secret"}, [&f](const RecordedCall&) {
    meshca::ProcessOutput output;
    output.exit_code = 0;
    output.out =
        f.secrets_deleted ? "secret/istio-ca-secret\n" : "secret/cacerts\nsecret/istio-ca-secret\n";
    return meshca::Result<meshca::ProcessOutput>(output);
  });
  auto result = f.run();
  CHECK(f.err.str().find("warning: --force: revision asm-1 runs Istio's own CA") !=
        std::string::npos);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().status == meshca::ExitStatus::check_failed);
  CHECK(result.error().message.find("secret/istio-ca-secret exists again in istio-system") !=
        std::string::npos);
  CHECK(result.error().message.find("(revision asm-1)") != std::string::npos);
  CHECK(f.secrets_deleted);
  CHECK(meshca::path_exists(f.dir + "/" + meshca::backup_file_name("istio-ca-secret")));
}
