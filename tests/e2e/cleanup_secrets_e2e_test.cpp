// cleanup-secrets against meshca-sim with the real kubectl: the safety check, the backup, the
// delete and istiod restart, a failure after the backup, and --restore.

#include "plugin_runner.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <thread>

namespace {

namespace fs = std::filesystem;
using e2e::SimCluster;

meshca::ProcessOutput plugin(const SimCluster& sim, const std::string& name,
                             const std::vector<std::string>& args) {
  return e2e::run_plugin(sim, "kubectl-meshca-" + name, args);
}

std::string bundle_url(const SimCluster& sim) {
  return "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void ok(const meshca::ProcessOutput& r) {
  REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
}

// "verb resource namespace/name" for each logged request that changed (or would change) something.
std::vector<std::string> mutations(const SimCluster& sim, bool with_dry_runs = true) {
  std::vector<std::string> lines;
  for (const auto& entry : sim.log()) {
    if (!with_dry_runs && entry["dryRun"].GetBool())
      continue;
    lines.push_back(std::string(entry["verb"].GetString()) + " " + entry["resource"].GetString() +
                    " " + entry["namespace"].GetString() + "/" + entry["name"].GetString() +
                    (entry["dryRun"].GetBool() ? " (dry run)" : ""));
  }
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines)
    out += line + "\n";
  return out;
}

unsigned mode_of(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

std::string secret_data(const SimCluster& sim, const std::string& name) {
  auto r = sim.kubectl({"get", "secret", name, "-n", "istio-system", "-o", "jsonpath={.data}"});
  return r.exit_code == 0 ? r.out : "<absent>";
}

// A mesh mid-way through round 2: shop still on asm-1 (Citadel), asm-2 issuing Mesh CA
// certificates.
constexpr const char* kRound2 = R"({
  "description": "round 2 of the migration, before the namespaces moved",
  "readiness_delay_ms": 50,
  "ca_secrets": {"cacerts": true, "istio_ca_secret": true},
  "revisions": [{"name": "asm-1", "ca": "citadel-meshca-root"}, {"name": "asm-2", "ca": "meshca-migration"}],
  "namespaces": [{"name": "shop", "labels": {"istio.io/rev": "asm-1"},
                  "workloads": [{"kind": "Deployment", "name": "web", "replicas": 2}]}]
})";

struct Round2 {
  std::string dir = [] {
    std::string pattern = (fs::temp_directory_path() / "meshca-e2e-cleanup-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    return pattern;
  }();
  std::string scenario_file = [this] {
    std::ofstream(dir + "/round2.json") << kRound2;
    return dir + "/round2.json";
  }();
  SimCluster sim{e2e::SimOptions{{"--scenario", scenario_file}, false, {}}};
  std::string backup = dir + "/backup";

  ~Round2() { fs::remove_all(dir); }

  // Moves shop to asm-2 with kubectl itself and waits for the new pods.
  void move_shop() {
    ok(sim.kubectl({"label", "ns", "shop", "istio.io/rev=asm-2", "--overwrite"}));
    ok(sim.kubectl({"rollout", "restart", "deployment/web", "-n", "shop"}));
    ok(sim.kubectl({"rollout", "status", "deployment/web", "-n", "shop", "--timeout=60s"}));
    for (int i = 0; i < 100; ++i) { // old pods terminate after the rollout reports success
      auto pods = sim.kubectl({"get", "pods", "-n", "shop", "-o",
                               "jsonpath={.items[*].metadata.annotations.istio\\.io/rev}"});
      if (!contains(pods.out, "asm-1"))
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("shop's pods did not move to asm-2");
  }

  // Removes asm-1, which runs Istio's own CA, as the guide orders it before the cleanup.
  void prune_old() {
    auto r = plugin(sim, "prune_revision", {"asm-1", "--yes"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    // prune-revision says what status says: the cleanup is next (no Istio CA left installed).
    CHECK(contains(
        r.err,
        "Next, once every sidecar uses Mesh CA certificates: kubectl meshca cleanup-secrets"));
  }

  meshca::ProcessOutput cleanup(std::vector<std::string> args) {
    args.insert(args.end(), {"--meshca-bundle", bundle_url(sim)});
    return plugin(sim, "cleanup_secrets", args);
  }
};

} // namespace

TEST_CASE("cleanup is refused while a sidecar trusts only CITADEL, and changes nothing") {
  SimCluster sim{e2e::scenario("demo.json")};
  const std::string backup = sim.dir() + "/backup";
  auto r = plugin(sim, "cleanup_secrets",
                  {"--backup-dir", backup, "--yes", "--meshca-bundle", bundle_url(sim)});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "kubectl meshca cleanup-secrets: error: "));
  CHECK(contains(r.err, "sidecars still depend on the Citadel CA"));
  CHECK(contains(r.err, "namespace bookinfo (revision asm-1-19): 7 sidecars trust [CITADEL]"));
  CHECK(contains(r.err, "Use --force"));
  CHECK(mutations(sim).empty());
  CHECK_FALSE(fs::exists(backup));
  CHECK(secret_data(sim, "cacerts") != "<absent>");
}

TEST_CASE("cleanup after the namespaces moved: dry run, confirmation, backup, delete, restart") {
  Round2 t;
  t.move_shop();
  t.prune_old();
  const std::string cacerts = secret_data(t.sim, "cacerts");
  const std::string ca_secret = secret_data(t.sim, "istio-ca-secret");
  const std::size_t before = mutations(t.sim).size();

  auto dry = t.cleanup({"--backup-dir", t.backup, "--dry-run"});
  ok(dry);
  CHECK(contains(dry.out, "secret/cacerts deleted (dry run)"));
  CHECK(contains(dry.out, "deployment.apps/istiod-asm-2 restarted (dry run)"));
  CHECK(mutations(t.sim).size() == before);
  CHECK_FALSE(fs::exists(t.backup));

  auto unconfirmed = t.cleanup({"--backup-dir", t.backup}); // stdin is not a terminal
  CHECK(unconfirmed.exit_code == 2);
  CHECK(contains(unconfirmed.err, "needs --yes when not run from a terminal"));
  CHECK(mutations(t.sim).size() == before);

  auto r = t.cleanup({"--backup-dir", t.backup, "--yes"});
  ok(r);
  CHECK(contains(r.err,
                 "Checked 2 sidecars: every one trusts MESHCA and uses a Mesh CA certificate."));
  CHECK(contains(r.out, "secret/cacerts backed up to " + t.backup + "/cacerts.yaml\n"));
  CHECK(contains(r.out, "secret/cacerts deleted\nsecret/istio-ca-secret deleted\n"));
  CHECK(contains(r.out, "deployment.apps/istiod-asm-2 rolled out\n"));
  CHECK(mode_of(t.backup) == 0700);
  CHECK(mode_of(t.backup + "/cacerts.yaml") == 0600);
  CHECK(mode_of(t.backup + "/istio-ca-secret.yaml") == 0600);
  CHECK_FALSE(fs::exists(t.backup + "/restart-pending"));
  CHECK(secret_data(t.sim, "cacerts") == "<absent>");
  CHECK(secret_data(t.sim, "istio-ca-secret") == "<absent>");
  const std::string log = joined(mutations(t.sim));
  CHECK(contains(log, "delete secrets istio-system/cacerts\n"));
  CHECK(contains(log, "delete secrets istio-system/istio-ca-secret\n"));
  CHECK(contains(log, "patch deployments istio-system/istiod-asm-2\n"));
  CHECK_FALSE(contains(log, "patch deployments istio-system/istiod-asm-1\n")); // pruned first
  CHECK(contains(r.err, "Checked after the restart: neither CA secret exists in istio-system."));
  // The backup re-creates the secrets exactly (kubectl reads it back to the same data).
  auto restore = t.cleanup({});
  CHECK(restore.exit_code == 2); // --backup-dir or --restore is required
  auto restored = plugin(t.sim, "cleanup_secrets", {"--restore", t.backup});
  ok(restored);
  CHECK(contains(restored.out, "secret/cacerts created from " + t.backup + "/cacerts.yaml\n"));
  CHECK(secret_data(t.sim, "cacerts") == cacerts);
  CHECK(secret_data(t.sim, "istio-ca-secret") == ca_secret);
  // Restoring again finds them in place.
  auto again = plugin(t.sim, "cleanup_secrets", {"--restore", t.backup, "--no-restart"});
  ok(again);
  CHECK(contains(again.out, "secret/cacerts already present (same data as"));
}

TEST_CASE("cleanup when the secrets are already gone has nothing to do") {
  Round2 t;
  t.move_shop();
  t.prune_old();
  ok(t.sim.kubectl({"delete", "secret", "cacerts", "istio-ca-secret", "-n", "istio-system"}));
  const std::size_t before = mutations(t.sim).size();
  auto r = t.cleanup({"--backup-dir", t.backup, "--yes"});
  ok(r);
  CHECK(
      r.out ==
      "Nothing to do: neither secret/cacerts nor secret/istio-ca-secret exists in istio-system.\n");
  CHECK(mutations(t.sim).size() == before);
}

TEST_CASE("a delete that fails after the backup loses nothing, and a re-run finishes") {
  Round2 t;
  t.move_shop();
  t.prune_old();
  t.sim.set_faults(
      R"({"api_errors": [{"verb": "delete", "resource": "secrets", "name": "istio-ca-secret",
                                      "status": 500, "count": 1, "message": "etcdserver: request timed out"}]})");
  auto first = t.cleanup({"--backup-dir", t.backup, "--yes"});
  CHECK(first.exit_code == 3);
  CHECK(contains(first.err, "re-run the same command to finish"));
  CHECK(fs::exists(t.backup + "/cacerts.yaml"));
  CHECK(fs::exists(t.backup + "/istio-ca-secret.yaml"));
  CHECK(secret_data(t.sim, "cacerts") == "<absent>");
  CHECK(secret_data(t.sim, "istio-ca-secret") != "<absent>");

  auto second = t.cleanup({"--backup-dir", t.backup, "--yes"});
  ok(second);
  CHECK(contains(second.out, "secret/istio-ca-secret already backed up in " + t.backup +
                                 "/istio-ca-secret.yaml\n"));
  CHECK(contains(second.out, "secret/istio-ca-secret deleted\n"));
  CHECK(contains(second.out, "deployment.apps/istiod-asm-2 rolled out\n"));
  CHECK(secret_data(t.sim, "istio-ca-secret") == "<absent>");
  // No secret was deleted by a request that came before its backup existed: each delete appears
  // once per run, after the backup file was written (the first run wrote both before deleting).
  const std::string log = joined(mutations(t.sim));
  CHECK(contains(log, "delete secrets istio-system/cacerts\n"));

  auto restored = plugin(t.sim, "cleanup_secrets", {"--restore", t.backup});
  ok(restored);
  CHECK(secret_data(t.sim, "cacerts") != "<absent>");
  CHECK(secret_data(t.sim, "istio-ca-secret") != "<absent>");
}

TEST_CASE("a backup folder holding other content is refused before anything changes") {
  Round2 t;
  t.move_shop();
  t.prune_old();
  fs::create_directories(t.backup);
  fs::permissions(t.backup, fs::perms::owner_all, fs::perm_options::replace);
  std::ofstream(t.backup + "/cacerts.yaml") << "# someone else's backup\n";
  const std::size_t before = mutations(t.sim).size();
  auto r = t.cleanup({"--backup-dir", t.backup, "--yes"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "holds a backup of other content"));
  CHECK(mutations(t.sim).size() == before);
  std::ifstream in(t.backup + "/cacerts.yaml");
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == "# someone else's backup\n");
}

TEST_CASE("cleanup is refused while a revision running Istio's own CA is installed") {
  Round2 t;
  t.move_shop(); // asm-1 (Citadel certificates, the root-distributing revision) is not pruned
  const std::size_t before = mutations(t.sim).size();
  auto r = t.cleanup({"--backup-dir", t.backup, "--yes"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "while an installed revision runs Istio's own CA"));
  CHECK(contains(r.err,
                 "revision asm-1: CITADEL certificates (IstioOperator installed-state-asm-1)"));
  CHECK(contains(r.err, "fix: kubectl meshca prune-revision asm-1"));
  CHECK_FALSE(contains(r.err, "revision asm-2:"));
  CHECK(mutations(t.sim).size() == before);
  CHECK_FALSE(fs::exists(t.backup));
}

TEST_CASE("forced past that refusal, the check after the restart catches the re-minted secret") {
  Round2 t;
  t.move_shop();
  const std::string original = secret_data(t.sim, "istio-ca-secret");
  auto r = t.cleanup({"--backup-dir", t.backup, "--yes", "--force"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "warning: --force: revision asm-1 runs Istio's own CA"));
  CHECK(contains(r.out, "secret/istio-ca-secret deleted\n"));
  CHECK(contains(r.out, "deployment.apps/istiod-asm-1 rolled out\n"));
  CHECK(contains(r.err,
                 "secret/istio-ca-secret exists again in istio-system after istiod restarted"));
  CHECK(contains(r.err, "(revision asm-1)"));
  CHECK_FALSE(contains(r.err, "The Citadel CA secrets are deleted"));
  // A new root, not the one backed up: the backup is intact and differs.
  const std::string minted = secret_data(t.sim, "istio-ca-secret");
  CHECK(minted != "<absent>");
  CHECK(minted != original);
  CHECK(fs::exists(t.backup + "/istio-ca-secret.yaml"));
}
