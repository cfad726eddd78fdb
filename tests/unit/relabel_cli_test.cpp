#include "meshca/commands/relabel/relabel_cli.h"

#include <doctest/doctest.h>
#include <sstream>

using meshca::parse_relabel;
using Args = std::vector<std::string>;

TEST_CASE("relabel: names, target and flags fill the options") {
  auto command = parse_relabel({"ns", "bookinfo", "shop", "bookinfo", "--revision",
                                "asm-1-19-mcroot", "--force", "-o", "name", "--context", "east"});
  REQUIRE(command.ok());
  const auto& o = command->options;
  CHECK(o.namespaces == Args{"bookinfo", "shop"});
  CHECK(o.target.mode == meshca::RelabelMode::revision);
  CHECK(o.target.revision == "asm-1-19-mcroot");
  CHECK(o.force == meshca::Force::yes);
  CHECK(o.output == meshca::OutputFormat::name);
  CHECK(o.dry_run == meshca::DryRun::none);
  CHECK_FALSE(o.all);
  CHECK_FALSE(o.selector.has_value());
  CHECK_FALSE(command->names_from_stdin);
  CHECK(command->common.contexts == Args{"east"});
}

TEST_CASE("relabel: the other targets, selections and dry-run forms") {
  struct Case {
    Args args;
    meshca::RelabelMode mode;
    meshca::DryRun dry_run;
  };
  for (const Case& c : {
           Case{{"ns", "a", "--injection-enabled"},
                meshca::RelabelMode::injection_enabled,
                meshca::DryRun::none},
           Case{{"namespace", "a", "--undo", "--dry-run"},
                meshca::RelabelMode::undo,
                meshca::DryRun::client},
           Case{{"namespaces", "--all", "--revision", "r1", "--dry-run=server"},
                meshca::RelabelMode::revision,
                meshca::DryRun::server},
           Case{{"ns", "-l", "team=x", "--revision", "r1", "--dry-run=client"},
                meshca::RelabelMode::revision,
                meshca::DryRun::client},
           Case{{"ns", "-", "--revision", "r1", "--dry-run=none"},
                meshca::RelabelMode::revision,
                meshca::DryRun::none},
       }) {
    CAPTURE(c.args.size());
    auto command = parse_relabel(c.args);
    REQUIRE(command.ok());
    CHECK(command->options.target.mode == c.mode);
    CHECK(command->options.dry_run == c.dry_run);
  }
  auto selected = parse_relabel({"ns", "--all", "-l", "team=x", "--revision", "r1"});
  REQUIRE(selected.ok());
  CHECK(selected->options.all);
  CHECK(selected->options.selector == "team=x");
  auto piped = parse_relabel({"ns", "-", "--revision", "r1"});
  REQUIRE(piped.ok());
  CHECK(piped->names_from_stdin);
}

TEST_CASE("relabel: bad usage is bad input naming the problem") {
  struct Case {
    Args args;
    const char* message;
  };
  for (const Case& c : {
           Case{{"ns", "a"}, "give exactly one of --revision REV, --injection-enabled or --undo"},
           Case{{"ns", "a", "--revision", "r", "--undo"}, "conflicting targets"},
           Case{{"ns", "a", "--injection-enabled", "--undo"}, "conflicting targets"},
           Case{{"ns", "a", "--revision", "Asm_1"},
                "--revision \"Asm_1\": not a valid revision name"},
           Case{{"ns", "a", "--revision", "1-19"}, "DNS-1035"},
           Case{{"ns", "a", "--revision", ""}, "not a valid revision name"},
           Case{{"pods", "a", "--revision", "r"}, "relabel works on namespaces"},
           Case{{"--revision", "r"}, "relabel works on namespaces"},
           Case{{"ns", "--revision", "r"}, "name the namespaces to relabel"},
           Case{{"ns", "Foo", "--revision", "r"}, "\"Foo\" is not a namespace name"},
           Case{{"ns", "a", "--revision", "r", "--dry-run=yes"},
                "valid values are none, client, server"},
           Case{{"ns", "a", "--revision", "r", "-o", "yaml"}, "valid: text, name, json"},
           Case{{"ns", "a", "--revision", "r", "--revison", "x"}, "did you mean --revision"},
           Case{{"ns", "a", "--revision", "r", "-l", ""}, "label selector"},
       }) {
    CAPTURE(std::string(c.message));
    auto command = parse_relabel(c.args);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == meshca::ExitStatus::bad_input);
    CHECK_MESSAGE(command.error().message.find(c.message) != std::string::npos,
                  command.error().message);
  }
}

TEST_CASE("relabel: help and version skip validation") {
  auto help = parse_relabel({"--help"});
  REQUIRE(help.ok());
  CHECK(help->common.help);
  auto version = parse_relabel({"--version"});
  REQUIRE(version.ok());
  CHECK(version->common.version);
  std::ostringstream out;
  meshca::print_relabel_help(out);
  CHECK(out.str().find("kubectl meshca relabel ns NAMESPACE...") != std::string::npos);
  CHECK(out.str().find("--injection-enabled") != std::string::npos);
  CHECK(out.str().find("--kubeconfig") != std::string::npos);
}

TEST_CASE("relabel: - reads namespace names from stdin") {
  auto command = parse_relabel({"ns", "a", "-", "--revision", "r1"});
  REQUIRE(command.ok());
  std::istringstream in("namespace/b labeled\na\nnamespace/c\n");
  REQUIRE(meshca::expand_stdin_names(*command, in).ok());
  CHECK(command->options.namespaces == Args{"a", "b", "c"});

  auto bad = parse_relabel({"ns", "-", "--revision", "r1"});
  REQUIRE(bad.ok());
  std::istringstream pods("pod/x\n");
  auto status = meshca::expand_stdin_names(*bad, pods);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().status == meshca::ExitStatus::bad_input);

  auto empty = parse_relabel({"ns", "-", "--revision", "r1"});
  REQUIRE(empty.ok());
  std::istringstream nothing("\n# nothing\n");
  auto none = meshca::expand_stdin_names(*empty, nothing);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find("no namespace names on stdin") != std::string::npos);
}

TEST_CASE("relabel: invalid revision names and hostile names are bad input, quoted literally") {
  for (const std::string& revision :
       {std::string("Bad_Rev"), std::string("-x"), std::string(64, 'a'), std::string("a;b"),
        std::string("$(touch /tmp/pwned)"), std::string("rev-"), std::string("x y")}) {
    CAPTURE(revision);
    auto command = parse_relabel({"ns", "shop", "--revision=" + revision});
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == meshca::ExitStatus::bad_input);
    CHECK(command.error().message.find("--revision \"" + revision + "\"") != std::string::npos);
  }
  CHECK(parse_relabel({"ns", "shop", "--revision", std::string(63, 'a')}).ok());
  for (const std::string& name : {std::string("a;b"), std::string("$(id)"), std::string("`id`"),
                                  std::string("x && y"), std::string(64, 'n')}) {
    CAPTURE(name);
    auto command = parse_relabel({"ns", name, "--revision", "asm-1"});
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == meshca::ExitStatus::bad_input);
    CHECK(command.error().message.find("\"" + name + "\" is not a namespace name") !=
          std::string::npos);
  }
}

TEST_CASE("relabel: contradictory and malformed connection flags") {
  struct Case {
    Args args;
    const char* message;
  };
  for (const Case& c : {
           Case{{"ns", "a", "--injection-enabled", "--revision", "r"}, "conflicting targets"},
           Case{{"ns", "a", "--revision", "r", "--request-timeout", "later"}, "--request-timeout"},
           Case{{"ns", "a", "--revision", "r", "--kubectl"}, "kubectl"},
           Case{{"ns", "a", "--revision", "r", "--forse"}, "did you mean --force?"},
       }) {
    CAPTURE(std::string(c.message));
    auto command = parse_relabel(c.args);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().status == meshca::ExitStatus::bad_input);
    CHECK_MESSAGE(command.error().message.find(c.message) != std::string::npos,
                  command.error().message);
  }
}
