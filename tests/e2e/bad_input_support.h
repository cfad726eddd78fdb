#pragma once
// Shared by the bad-input and security end-to-end suites: a small scenario cluster, plugins run
// with a chosen environment, and the assertions "refused with exit 2 naming X" and "nothing
// changed" (the simulator's mutation log is empty).

#include "plugin_runner.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <stdlib.h>
#include <string>
#include <vector>

namespace e2e::bad {

namespace fs = std::filesystem;

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A private temporary folder, removed with everything in it.
struct TempDir {
  std::string path = [] {
    std::string pattern = (fs::temp_directory_path() / "meshca-e2e-bad-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    return pattern;
  }();
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(path + "/" + name, std::ios::binary) << text;
    return path + "/" + name;
  }
};

// One revision serving one namespace with one Deployment, and both CA secrets: starts in about a
// second, enough for every command to have something to change.
inline constexpr const char* kSmallMesh = R"({
  "description": "one revision, one namespace: the bad-input suites' cluster",
  "readiness_delay_ms": 20,
  "ca_secrets": {"cacerts": true, "istio_ca_secret": true},
  "revisions": [{"name": "asm-1", "ca": "citadel"}],
  "namespaces": [{"name": "shop", "labels": {"istio.io/rev": "asm-1"},
                  "workloads": [{"kind": "Deployment", "name": "web", "replicas": 1}]}]
})";

struct SmallMesh {
  TempDir temp;
  std::string scenario = temp.file("small.json", kSmallMesh);
  SimCluster sim{SimOptions{{"--scenario", scenario}, false, {}}};
};

// Runs a plugin executable (or any program) with the simulator's environment, with the variables
// in `env` replacing it (an empty value counts as unset for $KUBECTL).
inline meshca::ProcessOutput
run_with_env(const SimCluster& sim, const std::string& program,
             const std::vector<std::string>& args,
             const std::vector<std::pair<std::string, std::string>>& env = {},
             std::optional<std::string> input = {}) {
  meshca::ProcessSpec spec;
  spec.program = program;
  spec.args = args;
  spec.input = std::move(input);
  spec.timeout = std::chrono::seconds(90);
  for (auto& [name, value] : plugin_env(sim, e2e::plugin_dir())) {
    const bool overridden =
        std::any_of(env.begin(), env.end(), [&](const auto& e) { return e.first == name; });
    if (!overridden)
      spec.extra_env.emplace_back(name, value);
  }
  spec.extra_env.insert(spec.extra_env.end(), env.begin(), env.end());
  auto output = meshca::run_process(spec);
  REQUIRE_MESSAGE(output.ok(), output.error().message);
  return *output;
}

inline meshca::ProcessOutput
meshca_cmd(const SimCluster& sim, const std::string& executable,
           const std::vector<std::string>& args,
           const std::vector<std::pair<std::string, std::string>>& env = {}) {
  return run_with_env(sim, plugin_path(executable), args, env);
}

// The Mesh CA bundle the simulator serves (for --meshca-bundle).
inline std::string bundle_url(const SimCluster& sim) {
  return "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json";
}

// "verb resource ns/name" of every logged mutation (dry runs included).
inline std::string mutations(const SimCluster& sim) {
  std::string lines;
  for (const auto& entry : sim.log())
    lines += std::string(entry["verb"].GetString()) + " " + entry["resource"].GetString() + " " +
             entry["namespace"].GetString() + "/" + entry["name"].GetString() + "\n";
  return lines;
}

// Exit `code`, one error line with the command's prefix, every part in it, and no change.
inline void refused(const SimCluster& sim, const meshca::ProcessOutput& r,
                    const std::string& command, const std::vector<std::string>& parts,
                    int code = 2) {
  CHECK_MESSAGE(r.exit_code == code,
                "exit " << r.exit_code << "\nstdout: " << r.out << "\nstderr: " << r.err);
  const std::string prefix =
      command.empty() ? "kubectl meshca: error: " : "kubectl meshca " + command + ": error: ";
  CHECK_MESSAGE(contains(r.err, prefix), r.err);
  for (const std::string& part : parts)
    CHECK_MESSAGE(contains(r.err, part), "missing \"" << part << "\" in: " << r.err);
  CHECK_MESSAGE(mutations(sim).empty(), mutations(sim));
}

// The plugins' executables and how each is named in messages.
struct Plugin {
  const char* executable;
  const char* command;
  std::vector<std::string> args; // a valid invocation that would read or change the cluster
};

inline std::vector<Plugin> cluster_plugins(const SimCluster& sim, const std::string& backup_dir) {
  return {{"kubectl-meshca-check_root", "check-root", {"shop", "--meshca-bundle", bundle_url(sim)}},
          {"kubectl-meshca-relabel", "relabel", {"ns", "shop", "--revision", "asm-1"}},
          {"kubectl-meshca-rollout", "rollout", {"shop"}},
          {"kubectl-meshca-cleanup_secrets",
           "cleanup-secrets",
           {"--backup-dir", backup_dir, "--yes", "--force", "--meshca-bundle", bundle_url(sim)}},
          {"kubectl-meshca-prune_revision", "prune-revision", {"asm-1", "--yes"}},
          {"kubectl-meshca-status", "status", {}},
          {"kubectl-meshca-preflight", "preflight", {"--meshca-bundle", bundle_url(sim)}}};
}

} // namespace e2e::bad
