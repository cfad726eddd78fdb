// Security properties through the real executables: no shell (hostile names reach kubectl and the
// API as one literal argument and run nothing), CA private keys never printed (-v, -o json|yaml,
// dry runs, backup and restore), backups 0600 in a 0700 folder, the kubectl proxy socket in a
// private folder; and a scan of the sources for shell-starting calls.

#include "bad_input_support.h"

#include <regex>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace e2e::bad;
using e2e::SimCluster;

unsigned mode_of(const std::string& path) {
  struct stat info {};
  REQUIRE_MESSAGE(::lstat(path.c_str(), &info) == 0, path);
  return info.st_mode & 07777;
}

// Names a shell would run: each creates a marker file in `dir` if anything ever interprets it.
std::vector<std::string> hostile_names(const std::string& dir) {
  return {"$(touch " + dir + "/pwned-1)", "a;touch " + dir + "/pwned-2",
          "`touch " + dir + "/pwned-3`", "x && touch " + dir + "/pwned-4",
          "a|touch " + dir + "/pwned-5"};
}

std::string decode_base64(const std::string& text) {
  meshca::ProcessSpec spec;
  spec.program = "base64";
  spec.args = {"-d"};
  spec.input = text;
  auto output = meshca::run_process(spec);
  REQUIRE(output.ok());
  REQUIRE(output->exit_code == 0);
  return output->out;
}

// The forms a CA private key could leak in: the Secret's base64 value, and the PEM body lines.
struct KeyMaterial {
  std::string name;
  std::vector<std::string> forms;
};

KeyMaterial key_of(const SimCluster& sim, const std::string& secret) {
  auto r = sim.kubectl(
      {"get", "secret", secret, "-n", "istio-system", "-o", "jsonpath={.data.ca-key\\.pem}"});
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.out.size() > 100);
  KeyMaterial key{secret, {r.out}};
  const std::string pem = decode_base64(r.out);
  REQUIRE(contains(pem, "PRIVATE KEY-----"));
  std::istringstream lines(pem);
  for (std::string line; std::getline(lines, line);)
    if (line.size() >= 40 && !line.starts_with("-----"))
      key.forms.push_back(line);
  REQUIRE(key.forms.size() > 2);
  return key;
}

void no_key_printed(const meshca::ProcessOutput& r, const std::vector<KeyMaterial>& keys,
                    const std::string& what) {
  CAPTURE(what);
  const std::string all = r.out + r.err;
  CHECK_FALSE(contains(all, "PRIVATE KEY"));
  for (const KeyMaterial& key : keys)
    for (const std::string& form : key.forms)
      CHECK_MESSAGE(!contains(all, form), key.name << " key material printed by " << what);
}

} // namespace

TEST_CASE("hostile names reach kubectl and the API literally: quoted in messages, nothing runs") {
  SmallMesh mesh;
  TempDir markers;
  for (const std::string& name : hostile_names(markers.path)) {
    CAPTURE(name);
    // Refused before any call, quoted literally (kubectl would read a '/' as resource/name).
    refused(mesh.sim,
            meshca_cmd(mesh.sim, "kubectl-meshca-check_root",
                       {name, "-v", "--meshca-bundle", bundle_url(mesh.sim)}),
            "check-root", {"\"" + name + "\" is not a namespace name"});
    refused(mesh.sim,
            meshca_cmd(mesh.sim, "kubectl-meshca-check_root",
                       {"-n", name, "--meshca-bundle", bundle_url(mesh.sim)}),
            "check-root", {"\"" + name + "\" is not a namespace name"});
    refused(mesh.sim,
            meshca_cmd(mesh.sim, "kubectl-meshca-relabel", {"ns", name, "--revision", "asm-1"}),
            "relabel", {"\"" + name + "\" is not a namespace name"});
    refused(mesh.sim, meshca_cmd(mesh.sim, "kubectl-meshca-rollout", {name}), "rollout",
            {"\"" + name + "\" is not a namespace name"});
    refused(mesh.sim, meshca_cmd(mesh.sim, "kubectl-meshca-prune_revision", {"--yes", "--", name}),
            "prune-revision", {"revision \"" + name + "\""});
    refused(mesh.sim, meshca_cmd(mesh.sim, "kubectl-meshca-status", {"--context", name}), "status",
            {"--context \"" + name + "\": the kubeconfig has no context of that name"});
    refused(mesh.sim, meshca_cmd(mesh.sim, "kubectl-meshca", {name}), "",
            {"unknown command \"" + name + "\""});
    // The user's way: kubectl's plugin lookup, then the dispatcher.
    auto via_kubectl =
        e2e::run_kubectl_with_plugins(mesh.sim, e2e::plugin_dir(), {"meshca", "rollout", name});
    refused(mesh.sim, via_kubectl, "rollout", {"\"" + name + "\" is not a namespace name"});
  }
  CHECK(mutations(mesh.sim).empty());
  // The API itself refuses such names, so no pod or namespace in a cluster can carry one.
  for (const std::string& name : hostile_names(markers.path)) {
    auto create = mesh.sim.kubectl({"create", "namespace", name});
    CHECK(create.exit_code != 0);
    CHECK_MESSAGE(contains(create.err, "\"" + name + "\" is invalid"), create.err);
  }
  for (const auto& entry : mesh.sim.log())
    CHECK(entry["code"].GetInt() == 422); // refused, nothing stored
  for (int i = 1; i <= 5; ++i)
    CHECK_FALSE(fs::exists(markers.path + "/pwned-" + std::to_string(i)));
}

TEST_CASE("a hostile --kubectl or --kubeconfig is one literal path, never a command line") {
  SmallMesh mesh;
  TempDir markers;
  const std::string name = "$(touch " + markers.path + "/pwned)";
  refused(mesh.sim, meshca_cmd(mesh.sim, "kubectl-meshca-status", {"--kubectl", name}), "status",
          {"--kubectl \"" + name + "\": not "}, 3);
  refused(mesh.sim, meshca_cmd(mesh.sim, "kubectl-meshca-status", {"--kubeconfig", name}), "status",
          {"--kubeconfig \"" + name + "\": No such file or directory"});
  CHECK_FALSE(fs::exists(markers.path + "/pwned"));
}

TEST_CASE("CA private keys are never printed: -v, -o json|yaml, dry runs, backup and restore") {
  SimCluster sim{e2e::scenario("demo.json")};
  const std::vector<KeyMaterial> keys = {key_of(sim, "cacerts"), key_of(sim, "istio-ca-secret")};
  TempDir temp;
  const std::string backup = temp.path + "/backup";
  const std::string bundle = bundle_url(sim);
  auto run = [&](const char* executable, std::vector<std::string> args) {
    args.push_back("-v");
    return meshca_cmd(sim, executable, args);
  };
  for (const char* format : {"json", "yaml"}) {
    auto check = run("kubectl-meshca-check_root",
                     {"-A", "--workload-cert", "-o", format, "--meshca-bundle", bundle});
    CHECK(check.exit_code == 0);
    no_key_printed(check, keys, std::string("check-root -o ") + format);
    auto status = run("kubectl-meshca-status", {"-o", format});
    CHECK(status.exit_code == 0);
    no_key_printed(status, keys, std::string("status -o ") + format);
  }
  // --no-restart: `kubectl rollout restart` takes no --dry-run, so a server dry run stops there.
  for (const char* dry_run : {"--dry-run=client", "--dry-run=server"}) {
    auto dry = run("kubectl-meshca-cleanup_secrets", {"--backup-dir", backup, dry_run, "--force",
                                                      "--no-restart", "--meshca-bundle", bundle});
    CHECK_MESSAGE(dry.exit_code == 0, dry.err);
    CHECK(contains(dry.out, "secret/cacerts backed up to " + backup + "/cacerts.yaml ("));
    no_key_printed(dry, keys, std::string("cleanup-secrets ") + dry_run);
  }
  CHECK_FALSE(fs::exists(backup));

  auto cleanup = run("kubectl-meshca-cleanup_secrets", {"--backup-dir", backup, "--yes", "--force",
                                                        "--no-restart", "--meshca-bundle", bundle});
  REQUIRE_MESSAGE(cleanup.exit_code == 0, cleanup.err);
  CHECK(contains(cleanup.err, "+ kubectl")); // -v did echo the calls
  no_key_printed(cleanup, keys, "cleanup-secrets");

  // The keys are in the backup (so the check above could have failed), 0600 in a 0700 folder.
  CHECK(mode_of(backup) == 0700);
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(backup)) {
    CAPTURE(entry.path().string());
    CHECK(entry.is_regular_file());
    CHECK(mode_of(entry.path().string()) == 0600);
    CHECK_FALSE(entry.path().filename().string().starts_with(".")); // no temporary file left
    ++files;
  }
  CHECK(files == 2);
  std::ifstream saved(backup + "/istio-ca-secret.yaml");
  CHECK(contains(std::string(std::istreambuf_iterator<char>(saved), {}), keys[1].forms.front()));

  auto restore =
      run("kubectl-meshca-cleanup_secrets", {"--restore", backup, "--yes", "--no-restart"});
  REQUIRE_MESSAGE(restore.exit_code == 0, restore.err);
  no_key_printed(restore, keys, "cleanup-secrets --restore");
  CHECK(key_of(sim, "istio-ca-secret").forms == keys[1].forms);
  for (const auto& entry : sim.log()) // the mutation log itself redacts Secret data
    CHECK_FALSE(contains(entry["body"].IsString() ? entry["body"].GetString() : "", "PRIVATE KEY"));
}

TEST_CASE("the kubectl proxy socket lives in a private 0700 folder, removed afterwards") {
  SmallMesh mesh;
  TempDir tmp;
  mesh.sim.set_faults(R"({"exec_latency_ms": 1500})"); // keep the run alive long enough to look
  meshca::ProcessOutput result;
  std::thread run([&] {
    result = meshca_cmd(mesh.sim, "kubectl-meshca-check_root",
                        {"shop", "--transport", "proxy", "--meshca-bundle", bundle_url(mesh.sim)},
                        {{"TMPDIR", tmp.path}});
  });
  std::string folder;
  for (int i = 0; i < 200 && folder.empty(); ++i) {
    for (const auto& entry : fs::directory_iterator(tmp.path))
      if (entry.path().filename().string().starts_with("kubectl-meshca-"))
        folder = entry.path().string();
    if (folder.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  unsigned folder_mode = folder.empty() ? 0 : mode_of(folder);
  run.join();
  REQUIRE_MESSAGE(!folder.empty(), "no proxy folder appeared in TMPDIR; stderr: " << result.err);
  CHECK(folder_mode == 0700);
  CHECK_MESSAGE(result.exit_code == 0, result.err);
  CHECK_FALSE(fs::exists(folder));
  CHECK(fs::is_empty(tmp.path)); // nothing else was left in TMPDIR
}

TEST_CASE("no shell in the sources: processes start from argument vectors only") {
  const fs::path root = fs::path(MESHCA_SAMPLES_DIR).parent_path().parent_path().parent_path();
  REQUIRE(fs::exists(root / "common" / "meshca"));
  const std::regex shell(
      R"((?:^|[^\w-])(?:system|popen|execlp?|execle|wordexp|tmpnam|mktemp)\s*\(|"/bin/sh"|"sh",\s*"-c"|"bash")");
  for (const char* bad :
       {"std::system(cmd.c_str());", "FILE* f = popen(cmd, \"r\");", "::execlp(\"kubectl\", x);",
        "bp::child c(\"/bin/sh\", args);", "  system (line);"})
    CHECK_MESSAGE(std::regex_search(std::string(bad), shell), bad); // the scan can fail
  CHECK_FALSE(std::regex_search(std::string("\" in istio-system (kubectl get deploy)\""), shell));
  std::size_t scanned = 0;
  for (const char* dir : {"common", "plugins"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".cpp" && ext != ".h")
        continue;
      std::ifstream in(entry.path());
      std::string line;
      for (int number = 1; std::getline(in, line); ++number) {
        const std::string code = line.substr(0, line.find("//"));
        CHECK_MESSAGE(!std::regex_search(code, shell), entry.path().string()
                                                           << ":" << number << ": " << line);
      }
      ++scanned;
    }
  }
  CHECK(scanned > 50);
}
