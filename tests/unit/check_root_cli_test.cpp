#include "meshca/ops/check_root_cli.h"

#include <doctest/doctest.h>

using meshca::parse_check_root;
using Args = std::vector<std::string>;

TEST_CASE("namespaces come from arguments and -n, sorted and unique") {
  auto command = parse_check_root({"foo", "bar", "-n", "foo"});
  REQUIRE(command.ok());
  CHECK(command->options.namespaces == Args{"bar", "foo"});
}

TEST_CASE("flags fill the options") {
  auto command = parse_check_root({"-A", "-l", "app=x", "--workload-cert", "--trust-domain",
                                   "--mtls", "--require", "citadel,MESHCA", "--forbid", "CITADEL",
                                   "--parallel", "8", "--expiry-warn", "30d", "-o", "json",
                                   "--context", "east", "--context", "west"});
  REQUIRE(command.ok());
  const auto& o = command->options;
  CHECK(o.namespaces.empty());
  CHECK(o.selector == "app=x");
  CHECK(o.workload_cert);
  CHECK(o.trust_domain);
  CHECK(o.mtls);
  CHECK(o.require.size() == 2);
  CHECK(o.forbid.size() == 1);
  CHECK(o.parallel == 8);
  CHECK(o.expiry_warn == std::chrono::hours(30 * 24));
  CHECK(o.output == meshca::OutputFormat::json);
  CHECK(command->common.contexts == Args{"east", "west"});
}

TEST_CASE("bad usage is bad input with a message naming the flag") {
  struct Case {
    Args args;
    const char* message;
  };
  for (const Case& c : {
           Case{{"-A", "foo"}, "contradict"},
           Case{{"--require", "VAULT"}, "--require: unknown CA \"VAULT\""},
           Case{{"-o", "xml"}, "unknown output format \"xml\""},
           Case{{"-o", "name"}, "output format \"name\" is not supported"},
           Case{{"--parallel", "0"}, "--parallel 0"},
           Case{{"--expiry-warn", "soon"}, "--expiry-warn \"soon\""},
           Case{{"--expiry-warn", "5y"}, "unknown unit"},
           Case{{"--config-dump", "x.json", "foo"}, "cannot be combined"},
           Case{{"--wrkload-cert"}, "did you mean --workload-cert?"},
       }) {
    auto command = parse_check_root(c.args);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == meshca::ExitStatus::bad_input);
    CHECK_MESSAGE(command.error().message.find(c.message) != std::string::npos,
                  command.error().message);
  }
}

TEST_CASE("--help skips validation") {
  auto command = parse_check_root({"-A", "foo", "--help"});
  REQUIRE(command.ok());
  CHECK(command->common.help);
}
