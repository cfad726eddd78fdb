#pragma once
// Running the built plugins against a simulated cluster: the user's way (kubectl's plugin lookup
// on PATH) and directly.

#include "sim_cluster.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <string>
#include <vector>

namespace e2e {

// The folder of the plugins under test: this build's, or MESHCA_E2E_PLUGIN_DIR's (scripts/test
// --sanitize runs these tests, built once in the plain build, against the sanitizer build's
// plugins).
inline std::string plugin_dir() {
  static const std::string dir = [] {
    const char* other = std::getenv("MESHCA_E2E_PLUGIN_DIR");
    if (!other || !*other)
      return std::string(MESHCA_PLUGIN_DIR);
    REQUIRE_MESSAGE(std::filesystem::is_regular_file(std::string(other) + "/kubectl-meshca"),
                    "MESHCA_E2E_PLUGIN_DIR="
                        << std::string(other)
                        << " holds no kubectl-meshca; build the plugins there");
    return std::string(other);
  }();
  return dir;
}

inline std::string plugin_path(const std::string& executable) {
  return plugin_dir() + "/" + executable;
}

inline std::string scenario_path(const std::string& name) {
  return std::string(MESHCA_SCENARIO_DIR) + "/" + name;
}

// The simulator of a scenario, with its PKI written to <dir>/pki.
inline SimOptions scenario(const std::string& name, std::vector<std::string> extra = {}) {
  SimOptions options;
  options.standard_seed = false;
  options.args = {"--scenario", scenario_path(name)};
  options.args.insert(options.args.end(), extra.begin(), extra.end());
  return options;
}

// The environment a plugin gets: the cluster's private discovery cache, and PATH with the
// plugins first (for kubectl's plugin lookup).
inline std::vector<std::pair<std::string, std::string>> plugin_env(const SimCluster& sim,
                                                                   const std::string& path_first) {
  const char* path = std::getenv("PATH");
  return {{"KUBECACHEDIR", sim.dir() + "/plugin-cache"},
          {"XDG_CACHE_HOME", sim.dir() + "/xdg-cache"}, // the Mesh CA bundle cache
          {"PATH", path_first + ":" + (path ? path : "/usr/bin:/bin")},
          {"KUBECONFIG", sim.kubeconfig()}};
}

// With MESHCA_E2E_VALGRIND=1 (scripts/memcheck) plugins run under valgrind memcheck: any memory
// error or definite leak makes the plugin exit 97, which no test expects.
inline bool under_valgrind() {
  const char* value = std::getenv("MESHCA_E2E_VALGRIND");
  return value && std::string(value) == "1";
}

inline void set_plugin_program(meshca::ProcessSpec& spec, const std::string& executable,
                               const std::vector<std::string>& args) {
  if (!under_valgrind()) {
    spec.program = plugin_path(executable);
    spec.args = args;
    return;
  }
  spec.program = "/usr/bin/valgrind";
  spec.args = {"--quiet",
               "--error-exitcode=97",
               "--leak-check=full",
               "--errors-for-leak-kinds=definite",
               "--show-leak-kinds=definite",
               "--child-silent-after-fork=yes",
               plugin_path(executable)};
  spec.args.insert(spec.args.end(), args.begin(), args.end());
}

// Runs a plugin executable directly (KUBECONFIG points at the simulator).
inline meshca::ProcessOutput run_plugin(const SimCluster& sim, const std::string& executable,
                                        const std::vector<std::string>& args,
                                        std::optional<std::string> input = {}) {
  meshca::ProcessSpec spec;
  set_plugin_program(spec, executable, args);
  spec.input = std::move(input);
  spec.timeout = std::chrono::seconds(under_valgrind() ? 600 : 90);
  spec.extra_env = plugin_env(sim, plugin_dir());
  auto output = meshca::run_process(spec);
  REQUIRE_MESSAGE(output.ok(), output.error().message);
  return *output;
}

// Runs `kubectl ARGS` with `path_first` at the head of PATH, as a user with the plugins installed.
inline meshca::ProcessOutput run_kubectl_with_plugins(const SimCluster& sim,
                                                      const std::string& path_first,
                                                      const std::vector<std::string>& args) {
  meshca::ProcessSpec spec;
  spec.program = kubectl_path();
  spec.args = args;
  spec.timeout = std::chrono::seconds(90);
  spec.extra_env = plugin_env(sim, path_first);
  auto output = meshca::run_process(spec);
  REQUIRE_MESSAGE(output.ok(), output.error().message);
  return *output;
}

} // namespace e2e
