#include "meshca/cli/dispatch.h"
#include "meshca/commands/registry.h"

#include <doctest/doctest.h>

using Args = std::vector<std::string>;

namespace {

meshca::DispatchPlan plan_dispatch(const std::vector<std::string>& args) {
  return meshca::plan_dispatch(args, meshca::command_registry());
}

meshca::RunCommand expect_run(const meshca::DispatchPlan& plan) {
  REQUIRE(std::holds_alternative<meshca::RunCommand>(plan));
  return std::get<meshca::RunCommand>(plan);
}

std::string expect_error(const meshca::DispatchPlan& plan) {
  REQUIRE(std::holds_alternative<meshca::DispatchError>(plan));
  return std::get<meshca::DispatchError>(plan).message;
}

} // namespace

TEST_CASE("no arguments, help and -h show help") {
  for (const Args& args : {Args{}, Args{"help"}, Args{"-h"}, Args{"--help"}, Args{"-v", "--help"}})
    CHECK(std::holds_alternative<meshca::ShowHelp>(plan_dispatch(args)));
}

TEST_CASE("version and --version show the version") {
  CHECK(std::holds_alternative<meshca::ShowVersion>(plan_dispatch({"version"})));
  CHECK(std::holds_alternative<meshca::ShowVersion>(plan_dispatch({"--version"})));
}

TEST_CASE("a command runs its executable with the remaining arguments") {
  const auto run = expect_run(plan_dispatch({"check-root", "foo", "-o", "json"}));
  CHECK(run.command.executable == "kubectl-meshca-check_root");
  CHECK(run.args == Args{"foo", "-o", "json"});
}

TEST_CASE("kubectl's underscore spelling names the same command") {
  CHECK(expect_run(plan_dispatch({"cleanup_secrets"})).command.name == "cleanup-secrets");
}

TEST_CASE("flags before the command name are forwarded ahead of its own arguments") {
  const auto run = expect_run(
      plan_dispatch({"--context", "east", "--kubeconfig=/tmp/k", "-v", "relabel", "ns", "foo"}));
  CHECK(run.command.name == "relabel");
  CHECK(run.args == Args{"--context", "east", "--kubeconfig=/tmp/k", "-v", "ns", "foo"});
}

TEST_CASE("arguments after the command are passed literally, hostile ones included") {
  const auto run = expect_run(plan_dispatch({"status", "$(reboot)", "a;b", "--help"}));
  CHECK(run.args == Args{"$(reboot)", "a;b", "--help"});
}

TEST_CASE("help COMMAND asks the command for its help") {
  const auto run = expect_run(plan_dispatch({"help", "rollout"}));
  CHECK(run.command.name == "rollout");
  CHECK(run.args == Args{"--help"});
}

TEST_CASE("an unknown command suggests the nearest one") {
  const std::string message = expect_error(plan_dispatch({"chek-root"}));
  CHECK(message.find("unknown command \"chek-root\"") != std::string::npos);
  CHECK(message.find("did you mean \"check-root\"?") != std::string::npos);
  CHECK(expect_error(plan_dispatch({"zzzzzzzzzz"})).find("did you mean") == std::string::npos);
  CHECK(expect_error(plan_dispatch({"help", "stauts"})).find("\"status\"") != std::string::npos);
}

TEST_CASE("an unknown or incomplete flag before the command is bad usage") {
  CHECK(expect_error(plan_dispatch({"--contxt", "x", "status"})).find("did you mean --context?") !=
        std::string::npos);
  CHECK(expect_error(plan_dispatch({"--context"})).find("needs a value") != std::string::npos);
}
