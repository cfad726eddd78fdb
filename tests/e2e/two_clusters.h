#pragma once
// Two clusters of one mesh for the end-to-end tests: two simulators (contexts east and west) that
// share one PKI (one Citadel root, one Mesh CA), and a kubeconfig holding both contexts.

#include "plugin_runner.h"

#include <chrono>
#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace e2e {

// A private folder for the PKI both simulators load.
inline std::string shared_pki_dir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "meshca-two-clusters-pki-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  return pattern + "/pki";
}

struct TwoClusters {
  explicit TwoClusters(const std::string& scenario_name)
      : pki(shared_pki_dir()),
        east(scenario(scenario_name, {"--context", "east", "--pki-dir", pki})),
        west(scenario(scenario_name, {"--context", "west", "--pki-dir", pki})),
        kubeconfig(merged_kubeconfig()) {}
  ~TwoClusters() {
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::path(pki).parent_path(), ignored);
  }
  TwoClusters(const TwoClusters&) = delete;
  TwoClusters& operator=(const TwoClusters&) = delete;

  std::string pki;
  SimCluster east;
  SimCluster west;
  std::string kubeconfig;

  // Runs a plugin with the merged kubeconfig, `--context east --context west` and east's Mesh CA
  // bundle after `args`.
  meshca::ProcessOutput run(const std::string& executable, std::vector<std::string> args) const {
    args.insert(args.end(), {"--kubeconfig", kubeconfig, "--context", "east", "--context", "west",
                             "--meshca-bundle", bundle_url()});
    meshca::ProcessSpec spec;
    set_plugin_program(spec, executable, args);
    spec.timeout = under_valgrind() ? std::chrono::seconds(1800) : std::chrono::seconds(600);
    spec.extra_env = plugin_env(east, e2e::plugin_dir());
    auto output = meshca::run_process(spec);
    REQUIRE_MESSAGE(output.ok(), output.error().message);
    return *output;
  }

  std::string bundle_url() const {
    return "http://127.0.0.1:" + std::to_string(east.port()) + "/meshca/spiffe_bundle.json";
  }

 private:
  std::string merged_kubeconfig() const {
    meshca::ProcessSpec spec;
    spec.program = kubectl_path();
    spec.args = {"config", "view", "--flatten"};
    spec.extra_env = {{"KUBECONFIG", east.kubeconfig() + ":" + west.kubeconfig()}};
    auto merged = meshca::run_process(spec);
    REQUIRE(merged.ok());
    REQUIRE_MESSAGE(merged->exit_code == 0, merged->err);
    const std::string path = east.dir() + "/both.kubeconfig";
    std::ofstream(path) << merged->out;
    return path;
  }
};

} // namespace e2e
