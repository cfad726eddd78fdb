// The dispatcher through the real kubectl's plugin lookup: with every executable on PATH, and
// with only kubectl-meshca linked (as krew installs it).

#include "plugin_runner.h"

#include <doctest/doctest.h>
#include <filesystem>

using e2e::SimCluster;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A folder holding only a symlink to kubectl-meshca, like krew's bin folder.
std::string krew_style_bin(const SimCluster& sim) {
  const std::string dir = sim.dir() + "/krew-bin";
  std::filesystem::create_directories(dir);
  std::filesystem::create_symlink(e2e::plugin_path("kubectl-meshca"), dir + "/kubectl-meshca");
  return dir;
}

} // namespace

TEST_CASE("kubectl meshca lists every command and prints its version") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto help = e2e::run_kubectl_with_plugins(sim, e2e::plugin_dir(), {"meshca", "--help"});
  CHECK(help.exit_code == 0);
  for (const char* command : {"check-root", "relabel", "rollout", "cleanup-secrets", "status",
                              "prune-revision", "preflight"})
    CHECK_MESSAGE(contains(help.out, command), command);
  auto version = e2e::run_kubectl_with_plugins(sim, e2e::plugin_dir(), {"meshca", "version"});
  CHECK(version.exit_code == 0);
  CHECK(contains(version.out, "kubectl meshca version "));
}

TEST_CASE("kubectl meshca check-root runs with every executable on PATH") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto result =
      e2e::run_kubectl_with_plugins(sim, e2e::plugin_dir(), {"meshca", "check-root", "bookinfo"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, ".bookinfo trusts [CITADEL]"));
}

TEST_CASE("with only kubectl-meshca linked, the dispatcher finds its siblings") {
  SimCluster sim(e2e::scenario("demo.json"));
  const std::string bin = krew_style_bin(sim);
  auto help = e2e::run_kubectl_with_plugins(sim, bin, {"meshca", "check-root", "--help"});
  INFO(help.err);
  CHECK(help.exit_code == 0);
  CHECK(contains(help.out, "kubectl meshca check-root"));
  auto result = e2e::run_kubectl_with_plugins(sim, bin, {"meshca", "check-root", "shop"});
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "redis-0.shop trusts [CITADEL]"));
}

TEST_CASE("flags before the command name reach the command") {
  SimCluster sim(e2e::scenario("demo.json"));
  const std::string bin = krew_style_bin(sim);
  auto result = e2e::run_kubectl_with_plugins(
      sim, bin, {"meshca", "--kubeconfig", sim.kubeconfig(), "-v", "check-root", "shop"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.err, "+ kubectl --kubeconfig " + sim.kubeconfig()));
  auto typo = e2e::run_kubectl_with_plugins(sim, bin, {"meshca", "chek-root"});
  CHECK(typo.exit_code == 2);
  CHECK(contains(typo.err, "did you mean \"check-root\"?"));
}
