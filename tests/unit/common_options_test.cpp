#include "meshca/cli/common_options.h"

#include <boost/program_options/value_semantic.hpp>
#include <doctest/doctest.h>
#include <sstream>

namespace meshca {

namespace po = boost::program_options;

namespace {

// A command's own flags, as a plugin would declare them.
struct CheckRootFlags {
  std::string selector;
  unsigned parallel = 16;
  bool workload_cert = false;
  std::vector<std::string> require;
};

po::options_description check_root_options(CheckRootFlags& flags) {
  po::options_description options;
  // clang-format off
  options.add_options()
    ("selector,l", po::value(&flags.selector)->value_name("SELECTOR"), "Only pods matching")
    ("parallel", po::value(&flags.parallel)->value_name("N"), "Pods checked at once")
    ("workload-cert", po::bool_switch(&flags.workload_cert), "Check the workload certificate")
    ("require", po::value(&flags.require)->composing()->value_name("CA"), "Required CAs");
  // clang-format on
  return options;
}

const PositionalSpec kNamespaces{"NAMESPACE", 0, PositionalSpec::kUnlimited};

Result<ParsedArgs> parse(const std::vector<std::string>& args, CheckRootFlags& flags,
                         const PositionalSpec& positional = kNamespaces, CommonFlagSet set = {}) {
  return parse_command_line("check-root", args, check_root_options(flags), positional, set);
}

std::string error_of(const std::vector<std::string>& args,
                     const PositionalSpec& positional = kNamespaces, CommonFlagSet set = {}) {
  CheckRootFlags flags;
  auto parsed = parse(args, flags, positional, set);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().status == ExitStatus::bad_input);
  return parsed.error().message;
}

const std::string kSeeHelp = "\nSee 'kubectl meshca check-root --help' for usage.";

} // namespace

TEST_CASE("no arguments give the defaults") {
  CheckRootFlags flags;
  auto parsed = parse({}, flags);
  REQUIRE(parsed.ok());
  const CommonOptions& common = parsed->common;
  CHECK(common.contexts.empty());
  CHECK_FALSE(common.kubeconfig.has_value());
  CHECK_FALSE(common.namespace_name.has_value());
  CHECK_FALSE(common.all_namespaces);
  CHECK_FALSE(common.verbose);
  CHECK_FALSE(common.help);
  CHECK(common.output.empty());
  CHECK(parsed->positional.empty());
  CHECK(flags.parallel == 16);
  CHECK_FALSE(parsed->given("parallel"));
  CHECK(common.connections() == std::vector<ConnectionFlags>{ConnectionFlags{}});
}

TEST_CASE("argv table: common flags in every spelling") {
  struct Row {
    std::vector<std::string> args;
    std::optional<std::string> namespace_name;
    std::vector<std::string> contexts;
    bool all_namespaces;
    bool verbose;
    std::string output;
  };
  const std::vector<Row> rows = {
      {{"-n", "foo"}, "foo", {}, false, false, ""},
      {{"-nfoo"}, "foo", {}, false, false, ""},
      {{"--namespace", "foo"}, "foo", {}, false, false, ""},
      {{"--namespace=foo"}, "foo", {}, false, false, ""},
      {{"-A"}, std::nullopt, {}, true, false, ""},
      {{"--all-namespaces", "-v"}, std::nullopt, {}, true, true, ""},
      {{"-Av"}, std::nullopt, {}, true, true, ""},
      {{"--verbose", "-o", "json"}, std::nullopt, {}, false, true, "json"},
      {{"-ojson"}, std::nullopt, {}, false, false, "json"},
      {{"--output=yaml"}, std::nullopt, {}, false, false, "yaml"},
      {{"--context", "east", "--context=west"}, std::nullopt, {"east", "west"}, false, false, ""},
      {{"--context", "-odd-name"}, std::nullopt, {"-odd-name"}, false, false, ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.args);
    CheckRootFlags flags;
    auto parsed = parse(row.args, flags);
    REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error().message));
    CHECK(parsed->common.namespace_name == row.namespace_name);
    CHECK(parsed->common.contexts == row.contexts);
    CHECK(parsed->common.all_namespaces == row.all_namespaces);
    CHECK(parsed->common.verbose == row.verbose);
    CHECK(parsed->common.output == row.output);
  }
}

TEST_CASE("connection flags pass through, one set per context") {
  CheckRootFlags flags;
  auto parsed =
      parse({"--kubeconfig", "/k/config", "--context", "east", "--cluster", "c1", "--user", "u1",
             "--request-timeout", "45s", "--context", "west", "--kubectl", "/opt/kubectl"},
            flags);
  REQUIRE(parsed.ok());
  const auto connections = parsed->common.connections();
  REQUIRE(connections.size() == 2);
  CHECK(connections[0].to_args() ==
        std::vector<std::string>{"--kubeconfig", "/k/config", "--context", "east", "--cluster",
                                 "c1", "--user", "u1", "--request-timeout", "45s"});
  CHECK(connections[1].context == std::optional<std::string>("west"));
  CHECK(connections[1].kubeconfig == std::optional<std::string>("/k/config"));
  CHECK(parsed->common.connection().context == std::optional<std::string>("east"));
  CHECK(parsed->common.kubectl == std::optional<std::string>("/opt/kubectl"));
}

TEST_CASE("the command's own flags and positional arguments are stored") {
  CheckRootFlags flags;
  auto parsed = parse({"foo", "-l", "app=web", "bar", "--parallel=8", "--workload-cert",
                       "--require", "CITADEL", "--require", "MESHCA", "-", "--", "-n"},
                      flags);
  REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error().message));
  CHECK(flags.selector == "app=web");
  CHECK(flags.parallel == 8);
  CHECK(flags.workload_cert);
  CHECK(flags.require == std::vector<std::string>{"CITADEL", "MESHCA"});
  CHECK(parsed->given("parallel"));
  CHECK(parsed->given("selector"));
  CHECK_FALSE(parsed->given("namespace"));
  // "-" is an argument (stdin), and everything after "--" is too.
  CHECK(parsed->positional == std::vector<std::string>{"foo", "bar", "-", "-n"});
  CHECK_FALSE(parsed->common.namespace_name.has_value());
}

TEST_CASE("argc/argv form skips the program name") {
  CheckRootFlags flags;
  const char* argv[] = {"kubectl-meshca-check_root", "-n", "foo", "ns1"};
  auto parsed = parse_command_line("check-root", 4, argv, check_root_options(flags), kNamespaces);
  REQUIRE(parsed.ok());
  CHECK(parsed->common.namespace_name == std::optional<std::string>("foo"));
  CHECK(parsed->positional == std::vector<std::string>{"ns1"});
}

TEST_CASE("unknown flags suggest the closest known one") {
  CHECK(error_of({"--namspace", "foo"}) ==
        "unknown flag --namspace; did you mean --namespace?" + kSeeHelp);
  CHECK(error_of({"--parralel=4"}) ==
        "unknown flag --parralel; did you mean --parallel?" + kSeeHelp);
  CHECK(error_of({"--workload-certs"}) ==
        "unknown flag --workload-certs; did you mean --workload-cert?" + kSeeHelp);
  CHECK(error_of({"--frobnicate"}) == "unknown flag --frobnicate" + kSeeHelp);
  CHECK(error_of({"-x"}) == "unknown flag -x" + kSeeHelp);
  // No abbreviations: kubectl does not take them either.
  CHECK(error_of({"--names", "foo"}).starts_with("unknown flag --names"));
}

TEST_CASE("missing and malformed values are bad input") {
  CHECK(error_of({"-n"}).find("namespace") != std::string::npos);
  CHECK(error_of({"--parallel", "many"}).find("parallel") != std::string::npos);
  CHECK(error_of({"--verbose=yes"}).find("verbose") != std::string::npos);
  CHECK(error_of({"-n", "a", "-n", "b"}).find("namespace") != std::string::npos);
}

TEST_CASE("positional argument counts are checked") {
  const PositionalSpec none{"ARG", 0, 0};
  const PositionalSpec one{"REVISION", 1, 1};
  const PositionalSpec two_or_more{"NAMESPACE", 2, PositionalSpec::kUnlimited};
  CHECK(error_of({"extra"}, none) == "unexpected argument \"extra\"" + kSeeHelp);
  CHECK(error_of({}, one) == "missing REVISION argument" + kSeeHelp);
  CHECK(error_of({"a", "b"}, one) ==
        "too many arguments: expected at most 1 REVISION argument, got 2" + kSeeHelp);
  CHECK(error_of({"a"}, two_or_more) ==
        "expected at least 2 NAMESPACE arguments, got 1" + kSeeHelp);
  CheckRootFlags flags;
  CHECK(parse({"a", "b", "c"}, flags, two_or_more).ok());
  CHECK(parse({"rev"}, flags, one).ok());
}

TEST_CASE("--help and --version work whatever the other arguments") {
  const PositionalSpec one{"REVISION", 1, 1};
  CheckRootFlags flags;
  auto help = parse({"-h"}, flags, one);
  REQUIRE(help.ok());
  CHECK(help->common.help);
  auto version = parse({"--version", "a", "b"}, flags, one);
  REQUIRE(version.ok());
  CHECK(version->common.version);
}

TEST_CASE("a command without -n/-A/-o rejects them") {
  const CommonFlagSet bare{.namespaces = false, .output = false};
  CHECK(error_of({"-n", "foo"}, kNamespaces, bare).starts_with("unknown flag -n"));
  CHECK(error_of({"-o", "json"}, kNamespaces, bare).starts_with("unknown flag -o"));
  CHECK(error_of({"--all-namespaces"}, kNamespaces, bare)
            .starts_with("unknown flag --all-namespaces"));
  CheckRootFlags flags;
  CHECK(parse({"--context", "x", "-v"}, flags, kNamespaces, bare).ok());
}

TEST_CASE("report_error prints one prefixed line and returns the exit code") {
  std::ostringstream err;
  CHECK(report_error(err, "check-root", bad_input("unknown flag --foo")) == 2);
  CHECK(report_error(err, "status", cluster_error("kubectl not found on PATH")) == 3);
  CHECK(report_error(err, "", check_failed("3 pods do not trust MESHCA")) == 1);
  CHECK(err.str() == "kubectl meshca check-root: error: unknown flag --foo\n"
                     "kubectl meshca status: error: kubectl not found on PATH\n"
                     "kubectl meshca: error: 3 pods do not trust MESHCA\n");
}

TEST_CASE("help is laid out like kubectl's") {
  CheckRootFlags flags;
  std::ostringstream out;
  print_command_help(out,
                     {"kubectl meshca check-root [NAMESPACE...] [options]",
                      "Show which CA roots every sidecar trusts.",
                      "# Check every namespace\nkubectl meshca check-root\n\n# One namespace\n"
                      "kubectl meshca check-root foo"},
                     check_root_options(flags), {.output_formats = "text, json"});
  const std::string help = out.str();
  CAPTURE(help);
  CHECK(help.starts_with("Usage:\n  kubectl meshca check-root [NAMESPACE...] [options]\n\n"
                         "Show which CA roots every sidecar trusts.\n\nExamples:\n"
                         "  # Check every namespace\n  kubectl meshca check-root\n\n"
                         "  # One namespace\n  kubectl meshca check-root foo\n\nOptions:\n"));
  CHECK(help.find("\n  -l, --selector SELECTOR ") != std::string::npos);
  CHECK(help.find("\n      --workload-cert ") != std::string::npos);
  CHECK(help.find("\n  -n, --namespace NAME ") != std::string::npos);
  CHECK(help.find("Output format: text, json\n") != std::string::npos);
  CHECK(help.find("\nGlobal options:\n") != std::string::npos);
  CHECK(help.find("\n      --kubeconfig PATH ") != std::string::npos);
  CHECK(help.find("\n  -v, --verbose ") != std::string::npos);
  CHECK(help.find("meshca-positional") == std::string::npos);
  CHECK(help.find("Global options:") > help.find("Options:"));
}

TEST_CASE("option help aligns descriptions and wraps long ones") {
  po::options_description options;
  // clang-format off
  options.add_options()
    ("short,s", "Short")
    ("a-much-longer-option-name", po::value<int>()->value_name("N"),
     "A description long enough that it has to be wrapped onto a second line at forty columns")
    ("hidden", "");
  // clang-format on
  const std::string text = format_option_help(options, 60);
  CHECK(text.find("hidden") == std::string::npos);
  std::istringstream lines(text);
  std::string line;
  std::vector<std::string> all;
  while (std::getline(lines, line))
    all.push_back(line);
  REQUIRE(all.size() >= 3);
  CHECK(all[0].starts_with("  -s, --short"));
  const std::size_t column = all[0].find("Short");
  CHECK(all[1].starts_with("      --a-much-longer-option-name N"));
  for (const auto& l : all)
    CHECK(l.size() <= 60);
  CHECK(all[2].find_first_not_of(' ') == column); // continuation lines align
}

} // namespace meshca

namespace meshca {

TEST_CASE("a bare --dry-run means client and never takes the next argument") {
  std::string dry_run;
  po::options_description options;
  options.add_options()("dry-run", po::value(&dry_run)->implicit_value("client"), "Dry run");
  auto parsed =
      parse_command_line("prune-revision", {"--dry-run", "asm-1"}, options, {"OLD", 1, 1});
  REQUIRE(parsed.ok());
  CHECK(dry_run == "client");
  CHECK(parsed->positional == std::vector<std::string>{"asm-1"});
  auto server =
      parse_command_line("prune-revision", {"--dry-run=server", "asm-1"}, options, {"OLD", 1, 1});
  REQUIRE(server.ok());
  CHECK(dry_run == "server");
}

} // namespace meshca
