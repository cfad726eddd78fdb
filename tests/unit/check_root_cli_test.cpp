#include "meshca/commands/check_root/check_root_cli.h"

#include <doctest/doctest.h>

using meshca::parse_check_root;
using Args = std::vector<std::string>;

TEST_CASE("namespaces come from arguments and -n, sorted and unique") {
  auto command = parse_check_root({"foo", "bar", "-n", "foo"});
  REQUIRE(command.ok());
  CHECK(command->options.namespaces == Args{"bar", "foo"});
}

TEST_CASE("flags fill the options") {
  auto command = parse_check_root({"-A",
                                   "-l",
                                   "app=x",
                                   "--workload-cert",
                                   "--trust-domain",
                                   "--mtls",
                                   "--require",
                                   "citadel,MESHCA",
                                   "--forbid",
                                   "CITADEL",
                                   "--parallel",
                                   "8",
                                   "--expiry-warn",
                                   "30d",
                                   "-o",
                                   "json",
                                   "--context",
                                   "east",
                                   "--context",
                                   "west"});
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
  for (const char* timeout : {"0", "30", "30s", "1m30s", "500ms", "1.5h", ".5s"}) {
    CAPTURE(timeout);
    CHECK(parse_check_root({"--request-timeout", timeout}).ok());
  }
}

TEST_CASE("check-root: --config-dump files are checked before they are read") {
  const std::string samples = MESHCA_SAMPLES_DIR;
  CHECK(meshca::check_config_dump_files(
            {"-", samples + "/istio-testdata_secret_istio_config_dump.json"})
            .ok());
  struct Case {
    std::string file;
    const char* message;
  };
  for (const Case& c :
       {Case{"/nonexistent/dump.json", "No such file or directory"},
        Case{samples, "not a regular file"}, Case{"/dev/null", "not a regular file"}}) {
    auto checked = meshca::check_config_dump_files({c.file});
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().status == meshca::ExitStatus::bad_input);
    CHECK(checked.error().message.find("--config-dump \"" + c.file + "\"") != std::string::npos);
    CHECK_MESSAGE(checked.error().message.find(c.message) != std::string::npos,
                  checked.error().message);
  }
}

TEST_CASE("check-root: namespace names are checked before kubectl sees them, quoted literally") {
  for (const std::string& name :
       {std::string("Bad_NS"), std::string("a;b"), std::string("$(touch /tmp/x)"),
        std::string("`id`"), std::string("x && y"), std::string("a/b"), std::string(64, 'n')}) {
    CAPTURE(name);
    for (const Args& args : {Args{name}, Args{"-n", name}}) {
      auto command = parse_check_root(args);
      REQUIRE_FALSE(command.ok());
      CHECK(command.error().status == meshca::ExitStatus::bad_input);
      CHECK(command.error().message.find("\"" + name + "\" is not a namespace name") !=
            std::string::npos);
    }
  }
  CHECK(parse_check_root({std::string(63, 'n')}).ok());
}

TEST_CASE("check-root: with --config-dump every positional argument is another dump") {
  struct Case {
    Args args;
    Args dumps;
  };
  for (const Case& c : {
           // What the shell makes of `--config-dump dumps/*.json`.
           Case{{"--config-dump", "dumps/a.json", "dumps/b.json", "dumps/c.json"},
                {"dumps/a.json", "dumps/b.json", "dumps/c.json"}},
           Case{{"--config-dump", "a.json", "--config-dump", "b.json"}, {"a.json", "b.json"}},
           Case{{"--config-dump=a.json", "b.json", "--trust-domain"}, {"a.json", "b.json"}},
           Case{{"--config-dump", "-", "a.json"}, {"-", "a.json"}},
           Case{{"a.json", "--config-dump", "b.json"}, {"b.json", "a.json"}}, // the flag's first
           // Not namespace names, and not checked as such.
           Case{{"--config-dump", "x.json", "Bad_NS.json", "foo"},
                {"x.json", "Bad_NS.json", "foo"}},
       }) {
    CAPTURE(c.args.size());
    CAPTURE(c.args.back());
    auto command = parse_check_root(c.args);
    REQUIRE_MESSAGE(command.ok(), (command.ok() ? "" : command.error().message));
    CHECK(command->options.config_dumps == c.dumps);
    CHECK(command->options.namespaces.empty());
  }
}

TEST_CASE("check-root: --config-dump with -n, -A or -l is bad usage, naming the flags") {
  struct Case {
    Args args;
    const char* message;
  };
  for (const Case& c : {
           Case{{"--config-dump", "a.json", "b.json", "-n", "foo"},
                "cannot be combined with -n/--namespace, which select pods of a cluster: drop it "
                "or --config-dump"},
           Case{{"--config-dump", "a.json", "-A"}, "cannot be combined with -A/--all-namespaces"},
           Case{{"--config-dump", "a.json", "b.json", "-l", "app=x"},
                "cannot be combined with -l/--selector"},
           Case{{"--config-dump", "a.json", "-A", "-l", "app=x"},
                "-A/--all-namespaces, -l/--selector, which select pods of a cluster: drop them"},
           Case{{"--config-dump", "-", "-"}, "standard input can be read only once"},
           Case{{"--config-dump", "-", "--config-dump", "-"},
                "standard input can be read only once"},
       }) {
    CAPTURE(std::string(c.message));
    auto command = parse_check_root(c.args);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == meshca::ExitStatus::bad_input);
    CHECK_MESSAGE(command.error().message.find(c.message) != std::string::npos,
                  command.error().message);
  }
}
