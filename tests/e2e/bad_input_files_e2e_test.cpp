// Bad input that is a file or a cluster: malformed, truncated and huge config dumps, invalid
// base64 and PEM inside dumps (check-root --config-dump), backup folders that cannot take the
// backup (cleanup-secrets --backup-dir), and a cluster without istio-system.

#include "bad_input_support.h"

#include <sys/stat.h>
#include <unistd.h>

namespace {

using namespace e2e::bad;
using e2e::SimCluster;

const std::string kSample =
    std::string(MESHCA_SAMPLES_DIR) + "/istio-testdata_secret_istio_config_dump.json";
const std::string kBundle = std::string(MESHCA_SAMPLES_DIR) + "/meshca_spiffe_bundle_jwks.json";

std::string sample_text() {
  std::ifstream in(kSample, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The sample with the ROOTCA secret's trusted CA bytes replaced by `value` (JSON string content).
std::string with_root_ca_bytes(const std::string& value) {
  std::string text = sample_text();
  const std::size_t trusted = text.find("\"trusted_ca\"");
  REQUIRE(trusted != std::string::npos);
  const std::string key = "\"inline_bytes\": \"";
  const std::size_t start = text.find(key, trusted);
  REQUIRE(start != std::string::npos);
  const std::size_t begin = start + key.size();
  const std::size_t end = text.find('"', begin);
  text.replace(begin, end - begin, value);
  return text;
}

// check-root --config-dump, offline: no cluster, the sample Mesh CA bundle, a private cache.
meshca::ProcessOutput check_dumps(const TempDir& temp, std::vector<std::string> files,
                                  std::optional<std::string> input = {}) {
  meshca::ProcessSpec spec;
  spec.program = e2e::plugin_path("kubectl-meshca-check_root");
  for (const std::string& file : files)
    spec.args.insert(spec.args.end(), {"--config-dump", file});
  spec.args.insert(spec.args.end(), {"--meshca-bundle", kBundle});
  spec.input = std::move(input);
  spec.timeout = std::chrono::seconds(60);
  spec.extra_env = {{"XDG_CACHE_HOME", temp.path + "/cache"}, {"KUBECONFIG", "/nonexistent"}};
  auto output = meshca::run_process(spec);
  REQUIRE_MESSAGE(output.ok(), output.error().message);
  return *output;
}

void refused_offline(const meshca::ProcessOutput& r, const std::vector<std::string>& parts) {
  CHECK_MESSAGE(r.exit_code == 2,
                "exit " << r.exit_code << "\nstdout: " << r.out << "\nstderr: " << r.err);
  const std::string all = r.out + r.err;
  for (const std::string& part : parts)
    CHECK_MESSAGE(contains(all, part), "missing \"" << part << "\" in: " << all);
}

} // namespace

TEST_CASE("malformed and truncated config dumps are bad input naming the file") {
  TempDir temp;
  const std::string text = sample_text();
  CHECK(check_dumps(temp, {kSample}).exit_code == 0); // the untouched sample is fine

  const std::string truncated = temp.file("truncated.json", text.substr(0, text.size() / 2));
  refused_offline(check_dumps(temp, {truncated}),
                  {"--config-dump \"" + truncated + "\"", "invalid JSON at offset"});
  refused_offline(check_dumps(temp, {"-"}, text.substr(0, 100)), {"invalid JSON"});
  const std::string empty = temp.file("empty.json", "");
  refused_offline(check_dumps(temp, {empty}), {empty, "empty input"});
  const std::string not_a_dump = temp.file("not-a-dump.json", R"({"kind": "Pod", "metadata": {}})");
  refused_offline(check_dumps(temp, {not_a_dump}), {not_a_dump});
  const std::string wrong_shape = temp.file("wrong-shape.json", R"({"configs": 5})");
  refused_offline(check_dumps(temp, {wrong_shape}), {wrong_shape});
  refused_offline(check_dumps(temp, {temp.path + "/missing.json"}),
                  {"--config-dump \"" + temp.path + "/missing.json\": No such file or directory"});
  refused_offline(check_dumps(temp, {temp.path}),
                  {"--config-dump \"" + temp.path + "\": not a regular file"});
}

TEST_CASE("invalid base64 and invalid PEM inside a config dump are bad input naming the file") {
  TempDir temp;
  const std::string bad_base64 =
      temp.file("bad-base64.json", with_root_ca_bytes("!!!not base64!!!"));
  refused_offline(check_dumps(temp, {bad_base64}), {bad_base64, "ROOTCA", "base64"});
  // Valid base64 of a PEM block whose body is not a certificate.
  const std::string bad_pem = temp.file(
      "bad-pem.json", with_root_ca_bytes("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmJtOTBJR0VnWTJWeWRBP"
                                         "T0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="));
  refused_offline(check_dumps(temp, {bad_pem}), {bad_pem, "ROOTCA"});
  // One good file and one bad: the good one is still reported, the exit is 2.
  auto mixed = check_dumps(temp, {kSample, bad_pem});
  refused_offline(mixed, {bad_pem});
  CHECK(contains(mixed.out, "trusts ["));
}

TEST_CASE(
    "a config dump over the size cap is refused before it is read, naming the file and the cap") {
  TempDir temp;
  const std::string huge = temp.path + "/huge.json";
  { std::ofstream(huge) << "{"; }
  // Sparse: 256 MiB + 1 byte without using the disk.
  REQUIRE(::truncate(huge.c_str(), (off_t{256} << 20) + 1) == 0);
  auto r = check_dumps(temp, {huge});
  refused_offline(
      r, {"--config-dump \"" + huge + "\": 268435457 bytes is more than the limit of 256 MiB"});
  CHECK(r.out.empty());
}

TEST_CASE(
    "a backup folder that cannot take the backup is refused before anything is read or changed") {
  SmallMesh mesh;
  const std::string open_dir = mesh.temp.path + "/open";
  REQUIRE(::mkdir(open_dir.c_str(), 0755) == 0);
  REQUIRE(::chmod(open_dir.c_str(), 0755) == 0);
  const std::string file = mesh.temp.file("a-file", "x");
  struct Case {
    std::string dir;
    std::string message;
  };
  for (const Case& c :
       {Case{open_dir,
             "--backup-dir " + open_dir + ": the folder has mode 0755, so others can list it"},
        Case{file, "--backup-dir " + file + ": exists and is not a folder"},
        Case{file + "/sub", "--backup-dir " + file + "/sub: cannot use it: Not a directory"},
        Case{"/proc/version/backup",
             "--backup-dir /proc/version/backup: cannot use it: Not a directory"}}) {
    CAPTURE(c.dir);
    for (const char* mode : {"--yes", "--dry-run"}) {
      auto r = meshca_cmd(
          mesh.sim, "kubectl-meshca-cleanup_secrets",
          {"--backup-dir", c.dir, mode, "--force", "--meshca-bundle", bundle_url(mesh.sim)});
      refused(mesh.sim, r, "cleanup-secrets", {c.message});
      CHECK_FALSE(contains(r.err, "Checked")); // refused before the sidecars were read
    }
  }
  CHECK(fs::is_empty(open_dir));
}

TEST_CASE("a backup folder holding another backup is refused, nothing overwritten or deleted") {
  SmallMesh mesh;
  const std::string backup = mesh.temp.path + "/backup";
  REQUIRE(::mkdir(backup.c_str(), 0700) == 0);
  const std::string old_backup = "# an older CA, the only copy\nkind: Secret\n";
  mesh.temp.file("backup/cacerts.yaml", old_backup);
  auto r = meshca_cmd(
      mesh.sim, "kubectl-meshca-cleanup_secrets",
      {"--backup-dir", backup, "--yes", "--force", "--meshca-bundle", bundle_url(mesh.sim)});
  refused(mesh.sim, r, "cleanup-secrets",
          {backup + "/cacerts.yaml holds a backup of other content", "Use a new --backup-dir"});
  std::ifstream in(backup + "/cacerts.yaml");
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == old_backup);
  CHECK_FALSE(fs::exists(backup + "/istio-ca-secret.yaml"));
}

TEST_CASE("a cluster without istio-system is bad input naming the context, for every command that "
          "changes or reads the install") {
  // A cluster that never had Istio: an application namespace labelled for injection, no
  // istio-system (scenarios always create it, so this is a seed).
  SimCluster sim{e2e::SimOptions{{}, false, R"([
    {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo","labels":{"istio-injection":"enabled"}}},
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"demo"},
     "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
             "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx"}]}}}}])"}};
  REQUIRE(sim.kubectl({"get", "namespace", "istio-system"}).exit_code != 0);
  TempDir temp;
  struct Case {
    const char* executable;
    const char* command;
    std::vector<std::string> args;
  };
  for (const Case& c : {
           Case{"kubectl-meshca-status", "status", {}},
           Case{"kubectl-meshca-preflight", "preflight", {}},
           Case{"kubectl-meshca-relabel",
                "relabel",
                {"ns", "demo", "--revision", "asm-1", "--force"}},
           Case{"kubectl-meshca-rollout", "rollout", {"demo"}},
           Case{"kubectl-meshca-prune_revision", "prune-revision", {"asm-1", "--yes"}},
           Case{"kubectl-meshca-cleanup_secrets",
                "cleanup-secrets",
                {"--backup-dir", temp.path + "/b", "--yes", "--force"}},
           Case{"kubectl-meshca-cleanup_secrets",
                "cleanup-secrets",
                {"--restore", temp.path, "--yes"}},
           Case{"kubectl-meshca", "status", {"--context", "meshca-sim", "status"}},
       }) {
    CAPTURE(c.command);
    refused(sim, meshca_cmd(sim, c.executable, c.args), c.command,
            {"namespace \"istio-system\" not found: the cluster of", "has no Istio control plane",
             "--context"});
  }
  CHECK_FALSE(fs::exists(temp.path + "/b"));
}
