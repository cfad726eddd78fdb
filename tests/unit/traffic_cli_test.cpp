#include "meshca/commands/cleanup_secrets/cleanup_secrets_cli.h"
#include "meshca/commands/prune_revision/prune_revision_cli.h"
#include "meshca/commands/rollout/rollout_cli.h"
#include "meshca/commands/traffic/traffic_cli.h"

#include <doctest/doctest.h>
#include <sstream>

using namespace meshca;
using Args = std::vector<std::string>;

TEST_CASE("traffic: defaults and flags") {
  auto plain = parse_traffic({});
  REQUIRE(plain.ok());
  CHECK(plain->options.namespaces.empty());
  CHECK_FALSE(plain->options.save);
  CHECK_FALSE(plain->options.since);
  CHECK_FALSE(plain->options.window);
  CHECK(plain->options.output == OutputFormat::text);
  CHECK(plain->options.parallel == 32);

  auto full = parse_traffic({"b", "a", "-n", "b", "-l", "app=x", "--save", "s.json", "--since",
                             "t.json", "-o", "wide", "--parallel", "8", "--transport", "exec"});
  REQUIRE(full.ok());
  CHECK(full->options.namespaces == Args{"a", "b"});
  CHECK(full->options.selector == "app=x");
  CHECK(*full->options.save == "s.json");
  CHECK(*full->options.since == "t.json");
  CHECK(full->options.output == OutputFormat::wide);
  CHECK(full->options.parallel == 8);
  CHECK(full->options.transport == Transport::exec);

  auto window = parse_traffic({"-A", "--window", "1m30s", "-o", "json"});
  REQUIRE(window.ok());
  CHECK(*window->options.window == std::chrono::seconds(90));
}

TEST_CASE("traffic: bad usage is bad input naming the flag") {
  struct Case {
    Args args;
    const char* message;
  };
  for (const Case& c : {
           Case{{"--since", "a.json", "--window", "60s"}, "--since and --window both"},
           Case{{"--save", "a.json", "--since", "a.json"}, "would overwrite the --since snapshot"},
           Case{{"--window", "soon"}, "--window \"soon\": expected a duration"},
           Case{{"--window", "25h"}, "at most 24h"},
           Case{{"-A", "foo"}, "contradict each other"},
           Case{{"Not_A_Namespace"}, "is not a namespace name"},
           Case{{"-o", "name"}, "name"},
           Case{{"--parallel", "0"}, "--parallel 0: expected 1 to 1000"},
           Case{{"--transport", "ssh"}, "--transport \"ssh\""},
       }) {
    CAPTURE(c.message);
    auto command = parse_traffic(c.args);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == ExitStatus::bad_input);
    CHECK(command.error().message.find(c.message) != std::string::npos);
  }
}

TEST_CASE("--verify-traffic on the commands that change the mesh") {
  auto rollout = parse_rollout({"a", "--verify-traffic", "--window", "2m"});
  REQUIRE(rollout.ok());
  CHECK(rollout->traffic.enabled);
  CHECK(rollout->traffic.window == std::chrono::minutes(2));
  auto rollout_default = parse_rollout({"a", "--verify-traffic"});
  REQUIRE(rollout_default.ok());
  CHECK(rollout_default->traffic.window == std::chrono::seconds(60));
  CHECK_FALSE(parse_rollout({"a"})->traffic.enabled);
  auto cleanup = parse_cleanup_secrets({"--backup-dir", "d", "--verify-traffic"});
  REQUIRE(cleanup.ok());
  CHECK(cleanup->traffic.enabled);
  auto prune = parse_prune_revision({"old", "--verify-traffic", "--window", "30s"});
  REQUIRE(prune.ok());
  CHECK(prune->traffic.window == std::chrono::seconds(30));

  struct Case {
    Result<bool> parsed;
    const char* message;
  };
  auto fails = [](auto result) -> Result<bool> {
    if (result.ok())
      return true;
    return result.error();
  };
  for (const Case& c : {
           Case{fails(parse_rollout({"a", "--window", "30s"})),
                "only counts with --verify-traffic"},
           Case{fails(parse_rollout({"a", "--verify-traffic", "--no-wait"})), "--no-wait"},
           Case{fails(parse_rollout({"a", "--verify-traffic", "--dry-run"})), "--dry-run"},
           Case{fails(parse_rollout({"a", "--verify-traffic", "--window", "2h"})), "at most 1h"},
           Case{fails(parse_prune_revision({"old", "--verify-traffic", "--dry-run"})), "--dry-run"},
           Case{fails(parse_cleanup_secrets({"--backup-dir", "d", "--window", "1m"})),
                "only counts with --verify-traffic"},
       }) {
    CAPTURE(c.message);
    REQUIRE_FALSE(c.parsed.ok());
    CHECK(c.parsed.error().status == ExitStatus::bad_input);
    CHECK(c.parsed.error().message.find(c.message) != std::string::npos);
  }
}

TEST_CASE("traffic's help names its flags") {
  std::ostringstream out;
  print_traffic_help(out);
  for (const char* flag : {"--save", "--since", "--window", "--transport", "Exit status"})
    CHECK(out.str().find(flag) != std::string::npos);
}
