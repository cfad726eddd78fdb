#include "meshca/commands/rollout/rollout_cli.h"

#include <doctest/doctest.h>
#include <sstream>

using namespace meshca;
using Args = std::vector<std::string>;

TEST_CASE("rollout: defaults") {
  auto command = parse_rollout({"bookinfo"});
  REQUIRE(command.ok());
  const RolloutOptions& o = command->options;
  CHECK(o.namespaces == Args{"bookinfo"});
  CHECK(o.kinds == WorkloadKinds{WorkloadKind::deployment, WorkloadKind::statefulset,
                                 WorkloadKind::daemonset});
  CHECK(o.timeout == std::chrono::minutes(5));
  CHECK(o.wait);
  CHECK_FALSE(o.gateways);
  CHECK(o.dry_run == DryRun::none);
  CHECK(o.output == OutputFormat::text);
  CHECK(o.parallel == 4);
  CHECK_FALSE(command->names_from_stdin);
}

TEST_CASE("rollout: flags fill the options") {
  auto command = parse_rollout({"a", "-n", "b", "a", "--kinds", "deploy,StatefulSets", "--timeout",
                                "1m30s", "--no-wait", "--gateways", "--dry-run=server", "-o",
                                "json", "--parallel", "8", "--kubeconfig", "/k"});
  REQUIRE(command.ok());
  const RolloutOptions& o = command->options;
  CHECK(o.namespaces == Args{"a", "b"});
  CHECK(o.kinds == WorkloadKinds{WorkloadKind::deployment, WorkloadKind::statefulset});
  CHECK(o.timeout == std::chrono::seconds(90));
  CHECK_FALSE(o.wait);
  CHECK(o.gateways);
  CHECK(o.dry_run == DryRun::server);
  CHECK(o.output == OutputFormat::json);
  CHECK(o.parallel == 8);
  CHECK(command->common.kubeconfig == "/k");
  auto bare = parse_rollout({"a", "--dry-run"});
  REQUIRE(bare.ok());
  CHECK(bare->options.dry_run == DryRun::client);
}

TEST_CASE("rollout: bad usage is bad input naming the problem") {
  struct Case {
    Args args;
    const char* message;
  };
  for (const Case& c : {
           Case{{}, "name the namespaces to roll out"},
           Case{{"a", "--kinds", "deployment,job"},
                "unknown kind \"job\"; valid: deployment, statefulset, daemonset"},
           Case{{"a", "--kinds", ""}, "unknown kind"},
           Case{{"a", "--timeout", "soon"}, "--timeout \"soon\": expected a duration"},
           Case{{"a", "--timeout", "0s"}, "must be more than 0s"},
           Case{{"a", "--timeout", "1m30"}, "expected a duration"},
           Case{{"a", "--dry-run=all"}, "valid values are none, client, server"},
           Case{{"a", "-o", "name"}, "valid: text, json"},
           Case{{"a", "--parallel", "0"}, "--parallel 0: expected 1 to 64"},
           Case{{"Bad!"}, "\"Bad!\" is not a namespace name"},
           Case{{"a", "--no-wiat"}, "did you mean --no-wait"},
       }) {
    CAPTURE(std::string(c.message));
    auto command = parse_rollout(c.args);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == ExitStatus::bad_input);
    CHECK(command.error().message.find(c.message) != std::string::npos);
  }
}

TEST_CASE("rollout: durations as kubectl takes them") {
  CHECK(*parse_timeout("90", "--timeout") == std::chrono::seconds(90));
  CHECK(*parse_timeout("45s", "--timeout") == std::chrono::seconds(45));
  CHECK(*parse_timeout("10m", "--timeout") == std::chrono::seconds(600));
  CHECK(*parse_timeout("1h2m3s", "--timeout") == std::chrono::seconds(3723));
  CHECK_FALSE(parse_timeout("", "--timeout").ok());
  CHECK_FALSE(parse_timeout("5d", "--timeout").ok());
  CHECK_FALSE(parse_timeout("-5s", "--timeout").ok());
  CHECK_FALSE(parse_timeout("1.5m", "--timeout").ok());
}

TEST_CASE("rollout: - reads the relabel -o name output from stdin") {
  auto command = parse_rollout({"-", "extra"});
  REQUIRE(command.ok());
  CHECK(command->names_from_stdin);
  std::istringstream in("namespace/bookinfo\nnamespace/shop\nnamespace/extra\n");
  REQUIRE(expand_stdin_namespaces(*command, in).ok());
  CHECK(command->options.namespaces == Args{"extra", "bookinfo", "shop"});

  auto empty = parse_rollout({"-"});
  REQUIRE(empty.ok());
  std::istringstream nothing("");
  auto status = expand_stdin_namespaces(*empty, nothing);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find("no namespace names on stdin") != std::string::npos);

  auto wrong = parse_rollout({"-"});
  REQUIRE(wrong.ok());
  std::istringstream pods("deployment/web\n");
  CHECK(expand_stdin_namespaces(*wrong, pods).error().status == ExitStatus::bad_input);
}

TEST_CASE("rollout: help") {
  std::ostringstream out;
  print_rollout_help(out);
  CHECK(out.str().find("kubectl meshca rollout [NAMESPACE... | -]") != std::string::npos);
  CHECK(out.str().find("--gateways") != std::string::npos);
  auto help = parse_rollout({"-h"});
  REQUIRE(help.ok());
  CHECK(help->common.help);
}

TEST_CASE("rollout: hostile and invalid namespace names are bad input, quoted literally") {
  for (const std::string& name :
       {std::string("a;b"), std::string("$(touch /tmp/pwned)"), std::string("`id`"),
        std::string("x && y"), std::string("Bad_NS"), std::string(64, 'n')}) {
    CAPTURE(name);
    for (const Args& args : {Args{name}, Args{"-n", name}}) {
      auto command = parse_rollout(args);
      REQUIRE_FALSE(command.ok());
      CHECK(command.error().status == meshca::ExitStatus::bad_input);
      CHECK(command.error().message.find("\"" + name + "\" is not a namespace name") !=
            std::string::npos);
    }
  }
}

TEST_CASE("rollout: unknown and malformed flags") {
  struct Case {
    Args args;
    const char* message;
  };
  for (const Case& c : {
           Case{{"shop", "--timout", "5m"}, "did you mean --timeout?"},
           Case{{"shop", "--request-timeout", "1d"}, "--request-timeout \"1d\""},
           Case{{"shop", "--kinds", "pods"}, "pods"},
           Case{{"shop", "-A"}, "unknown flag -A"},
       }) {
    CAPTURE(std::string(c.message));
    auto command = parse_rollout(c.args);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == meshca::ExitStatus::bad_input);
    CHECK_MESSAGE(command.error().message.find(c.message) != std::string::npos,
                  command.error().message);
  }
}
