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

TEST_CASE("check-root: bad input in connection flags and names is refused before any kubectl") {
  struct Case {
    Args args;
    const char* message;
  };
  for (const Case& c : {
           Case{{"--request-timeout", "soon"}, "--request-timeout \"soon\": expected a duration"},
           Case{{"--request-timeout", "5x"}, "--request-timeout \"5x\""},
           Case{{"--request-timeout", ""}, "--request-timeout \"\""},
           Case{{"--contxt", "east"}, "unknown flag --contxt; did you mean --context?"},
           Case{{"--kubeconfg", "/k"}, "did you mean --kubeconfig?"},
           Case{{"-A", "-n", "foo"}, "contradict"},
           Case{{"--config-dump", "x.json", "-A"}, "cannot be combined"},
           Case{{"--config-dump", "x.json", "-l", "app=x"}, "cannot be combined"},
           Case{{"--transport", "ssh"}, "ssh"},
           Case{{"--exec-timeout", "-5s"}, "--exec-timeout"},
           Case{{"--require"}, "--require"},
       }) {
    CAPTURE(std::string(c.message));
    auto command = parse_check_root(c.args);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == meshca::ExitStatus::bad_input);
    CHECK_MESSAGE(command.error().message.find(c.message) != std::string::npos,
                  command.error().message);
  }
  for (const char* timeout : {"0", "30", "30s", "1m30s", "500ms", "1.5h"}) {
    CAPTURE(timeout);
    CHECK(parse_check_root({"--request-timeout", timeout}).ok());
  }
}

TEST_CASE("check-root: --config-dump files are checked before they are read") {
  const std::string samples = MESHCA_SAMPLES_DIR;
  CHECK(meshca::check_config_dump_files({"-", samples + "/istio-testdata_secret_istio_config_dump.json"}).ok());
  struct Case {
    std::string file;
    const char* message;
  };
  for (const Case& c : {Case{"/nonexistent/dump.json", "No such file or directory"},
                        Case{samples, "not a regular file"},
                        Case{"/dev/null", "not a regular file"}}) {
    auto checked = meshca::check_config_dump_files({c.file});
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().status == meshca::ExitStatus::bad_input);
    CHECK(checked.error().message.find("--config-dump \"" + c.file + "\"") != std::string::npos);
    CHECK_MESSAGE(checked.error().message.find(c.message) != std::string::npos, checked.error().message);
  }
}

TEST_CASE("check-root: namespace names are checked before kubectl sees them, quoted literally") {
  for (const std::string& name : {std::string("Bad_NS"), std::string("a;b"), std::string("$(touch /tmp/x)"),
                                  std::string("`id`"), std::string("x && y"), std::string("a/b"), std::string(64, 'n')}) {
    CAPTURE(name);
    for (const Args& args : {Args{name}, Args{"-n", name}}) {
      auto command = parse_check_root(args);
      REQUIRE_FALSE(command.ok());
      CHECK(command.error().status == meshca::ExitStatus::bad_input);
      CHECK(command.error().message.find("\"" + name + "\" is not a namespace name") != std::string::npos);
    }
  }
  CHECK(parse_check_root({std::string(63, 'n')}).ok());
}
