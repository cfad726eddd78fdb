#include "meshca/commands/relabel/relabel_cli.h"

#include "meshca/cli/name_input.h"

#include <algorithm>
#include <boost/program_options.hpp>

namespace meshca {
namespace po = boost::program_options;
namespace {

constexpr const char* kName = "relabel";
constexpr CommonFlagSet kFlagSet{false, true, "text, name, json"};

struct RawFlags {
  std::string revision;
  bool injection_enabled = false;
  bool undo = false;
  bool all = false;
  std::string selector;
  std::string dry_run = "none";
  bool force = false;
  std::string meshca_bundle;
};

po::options_description specific_flags(RawFlags& f) {
  po::options_description d;
  // clang-format off
  d.add_options()
    ("revision", po::value(&f.revision)->value_name("REV"),
     "Set istio.io/rev=REV and remove istio-injection (REV: an istiod revision or a revision tag)")
    ("injection-enabled", po::bool_switch(&f.injection_enabled),
     "Set istio-injection=enabled and remove istio.io/rev (the rollback to the default revision)")
    ("undo", po::bool_switch(&f.undo),
     "Restore the injection labels the last relabel replaced (recorded on the namespace)")
    ("all", po::bool_switch(&f.all),
     "Every namespace with sidecar injection now (not kube-system, kube-public, kube-node-lease "
     "or istio-system unless named)")
    ("selector,l", po::value(&f.selector)->value_name("SELECTOR"),
     "Namespaces matching this label selector (with --all: the injected ones among them)")
    ("dry-run", po::value(&f.dry_run)->implicit_value("client")->value_name("MODE"),
     "none, client (print what would change, send nothing) or server (send with dryRun); a bare "
     "--dry-run is client")
    ("force", po::bool_switch(&f.force),
     "Relabel even when no control plane serves the target, the namespace has both labels, or "
     "the trust gate refuses (each override is printed as a warning)")
    ("meshca-bundle", po::value(&f.meshca_bundle)->value_name("FILE|URL"),
     "Mesh CA roots for the trust gate (SPIFFE bundle JSON or PEM; default: Google's public "
     "bundle, cached)");
  // clang-format on
  return d;
}

std::string see_help() {
  return "\nSee 'kubectl meshca relabel --help' for usage.";
}

Result<RelabelTarget> parse_target(const RawFlags& f, bool revision_given) {
  const int modes = (revision_given ? 1 : 0) + (f.injection_enabled ? 1 : 0) + (f.undo ? 1 : 0);
  if (modes != 1)
    return bad_input(std::string(modes == 0 ? "missing the target" : "conflicting targets") +
                     ": give exactly one of --revision REV, --injection-enabled or --undo" +
                     see_help());
  if (f.injection_enabled)
    return RelabelTarget{RelabelMode::injection_enabled, {}};
  if (f.undo)
    return RelabelTarget{RelabelMode::undo, {}};
  if (!is_dns1035_label(f.revision))
    return bad_input("--revision \"" + f.revision +
                     "\": not a valid revision name (a DNS-1035 label: at most 63 lower-case "
                     "letters, digits and '-', beginning with a letter and ending with a letter "
                     "or digit)");
  return RelabelTarget{RelabelMode::revision, f.revision};
}

// The positional arguments after `ns`: names, and `-` for stdin.
Status take_names(const std::vector<std::string>& positional, RelabelCommand& command) {
  if (positional.empty() ||
      (positional[0] != "ns" && positional[0] != "namespace" && positional[0] != "namespaces"))
    return bad_input("relabel works on namespaces: kubectl meshca relabel ns NAMESPACE... "
                     "--revision REV" +
                     see_help());
  for (auto it = positional.begin() + 1; it != positional.end(); ++it) {
    if (*it == "-") {
      command.names_from_stdin = true;
      continue;
    }
    if (!is_dns1123_label(*it))
      return bad_input("\"" + *it + "\" is not a namespace name" + see_help());
    auto& names = command.options.namespaces;
    if (std::find(names.begin(), names.end(), *it) == names.end())
      names.push_back(*it);
  }
  return done();
}

} // namespace

Result<RelabelCommand> parse_relabel(const std::vector<std::string>& args) {
  RawFlags f;
  const po::options_description specific = specific_flags(f);
  auto parsed =
      parse_command_line(kName, args, specific, {"ARG", 0, PositionalSpec::kUnlimited}, kFlagSet);
  if (!parsed)
    return parsed.error();
  RelabelCommand command;
  command.common = parsed->common;
  if (command.common.help || command.common.version)
    return command;
  MESHCA_TRY(take_names(parsed->positional, command));
  RelabelOptions& o = command.options;
  auto target = parse_target(f, parsed->given("revision"));
  if (!target)
    return target.error();
  o.target = *target;
  auto dry_run = parse_dry_run(f.dry_run);
  if (!dry_run)
    return dry_run.error();
  o.dry_run = *dry_run;
  auto output = parse_output_format(command.common.output,
                                    {OutputFormat::text, OutputFormat::name, OutputFormat::json});
  if (!output)
    return output.error();
  o.output = *output;
  o.all = f.all;
  if (parsed->given("selector")) {
    if (f.selector.empty())
      return bad_input("-l/--selector needs a label selector such as team=shop" + see_help());
    o.selector = f.selector;
  }
  o.force = f.force ? Force::yes : Force::no;
  if (parsed->given("meshca-bundle")) {
    if (f.meshca_bundle.empty())
      return bad_input("--meshca-bundle needs a FILE or URL" + see_help());
    command.meshca_bundle = f.meshca_bundle;
  }
  if (o.namespaces.empty() && !command.names_from_stdin && !o.all && !o.selector)
    return bad_input("name the namespaces to relabel (NAMESPACE..., - to read them from stdin, "
                     "--all or -l SELECTOR)" +
                     see_help());
  return command;
}

Status expand_stdin_names(RelabelCommand& command, std::istream& in) {
  if (!command.names_from_stdin)
    return done();
  auto names = read_namespace_names(in);
  if (!names)
    return names.error();
  auto& all = command.options.namespaces;
  for (std::string& name : *names)
    if (std::find(all.begin(), all.end(), name) == all.end())
      all.push_back(std::move(name));
  if (all.empty() && !command.options.all && !command.options.selector)
    return bad_input("no namespace names on stdin (expected namespace/NAME or NAME lines)");
  return done();
}

po::options_description relabel_flags() {
  static RawFlags sink; // never read
  return specific_flags(sink);
}

void print_relabel_help(std::ostream& out) {
  RawFlags f;
  const HelpText help{
      "kubectl meshca relabel ns NAMESPACE... (--revision REV | --injection-enabled | --undo) "
      "[--all | -l SELECTOR] [--dry-run[=client|server]] [--force] [--meshca-bundle FILE|URL] "
      "[-o text|name|json]",
      "Moves namespaces to a control-plane revision: one merge patch per namespace sets\n"
      "istio.io/rev=REV and removes istio-injection (or, with --injection-enabled, the reverse),\n"
      "and records the labels it replaced in the annotation\n"
      "meshca.kubectl.io/previous-injection-labels, which --undo restores. Namespaces already\n"
      "labelled so are reported unchanged and not patched. Every namespace is checked before any\n"
      "is changed: a revision with no istiod and no revision tag, or a namespace with both\n"
      "labels, is refused unless --force. Pods move when they restart: pipe -o name into\n"
      "kubectl meshca rollout -. `-` reads namespace names (namespace/NAME lines) from stdin.\n\n"
      "Trust gate: a namespace that would get another revision's sidecars is moved only when,\n"
      "afterwards, every sidecar can still authenticate every other: every running sidecar\n"
      "(the whole mesh, in every --context; the first is the cluster changed) must trust the CA\n"
      "that revision issues from, and the revision's sidecars must trust the issuer of every\n"
      "running sidecar's certificate. It reads what the sidecars hold (as check-root\n"
      "--workload-cert); for a revision with no sidecar yet, what its configuration says. A\n"
      "refusal names the sidecars on the wrong side and the fix in the guide's order;\n"
      "--force overrides it with a warning per group.\n\n"
      "Exit status: 0 done, 1 refused (nothing changed), 2 bad usage or unknown namespace\n"
      "(nothing changed), 3 the cluster could not be read or a patch failed.",
      "# Round 1: move two namespaces to the revision that distributes the Mesh CA root\n"
      "kubectl meshca relabel ns bookinfo shop --revision asm-1-19-mcroot\n\n"
      "# See exactly what would change, send nothing\n"
      "kubectl meshca relabel ns --all --revision asm-1-19-mcroot --dry-run\n\n"
      "# Relabel and restart in one pipe\n"
      "kubectl meshca relabel ns bookinfo --revision asm-1-19-mcroot -o name | kubectl meshca "
      "rollout -\n\n"
      "# Roll back to exactly the labels there were before\n"
      "kubectl meshca relabel ns bookinfo shop --undo"};
  print_command_help(out, help, specific_flags(f), kFlagSet);
}

} // namespace meshca
