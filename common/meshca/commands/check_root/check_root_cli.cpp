#include "meshca/commands/check_root/check_root_cli.h"

#include "meshca/cli/help_printer.h"
#include "meshca/cli/name_input.h"
#include "meshca/mesh/config_dump.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace meshca {
namespace po = boost::program_options;
namespace {

constexpr const char* kName = "check-root";

struct RawFlags {
  std::string selector;
  bool workload_cert = false;
  bool trust_domain = false;
  bool mtls = false;
  std::string require;
  std::string forbid;
  std::string meshca_bundle;
  std::size_t parallel = 32;
  std::string expiry_warn = "60d";
  std::vector<std::string> config_dumps;
  std::string exec_timeout = "60s";
  std::string transport = "auto";
};

po::options_description specific_flags(RawFlags& f) {
  po::options_description d;
  d.add_options()("selector,l", po::value(&f.selector)->value_name("SELECTOR"),
                  "Only pods matching this label selector (as kubectl get -l)")(
      "workload-cert", po::bool_switch(&f.workload_cert),
      "Check who issued each sidecar's mTLS certificate (OpenSSL chain verification)")(
      "trust-domain", po::bool_switch(&f.trust_domain),
      "Check each sidecar accepts a trust domain of both CITADEL and MESHCA; names every CA it "
      "is MISSING (exit 1). Citadel's trust domain is read from the mesh config (istio[-REV] "
      "ConfigMaps in istio-system), MESHCA's is PROJECT.svc.id.goog")(
      "mtls", po::bool_switch(&f.mtls),
      "Group sidecars by trust bundle and issuing chain and check every pair can authenticate")(
      "require", po::value(&f.require)->value_name("CAS"),
      "Exit 1 unless every pod trusts all of CITADEL, MESHCA or CITADEL,MESHCA "
      "(with --workload-cert: is issued by one of them)")(
      "forbid", po::value(&f.forbid)->value_name("CAS"),
      "Exit 1 when any pod still trusts one of these CAs (e.g. CITADEL after the migration)")(
      "meshca-bundle", po::value(&f.meshca_bundle)->value_name("FILE|URL"),
      "Mesh CA SPIFFE trust bundle or PEM roots (default: the public bundle, cached a day)")(
      "parallel", po::value(&f.parallel)->value_name("N"),
      "How many sidecars to read at once (default 32)")(
      "expiry-warn", po::value(&f.expiry_warn)->value_name("DURATION"),
      "Report certificates expiring within this time (default 60d)")(
      "config-dump", po::value(&f.config_dumps)->composing()->value_name("FILE"),
      "Check saved Envoy config dumps (raw or istioctl -o json; - for stdin) instead of a "
      "cluster; every positional argument is then another dump (--config-dump dumps/*.json)")(
      "exec-timeout", po::value(&f.exec_timeout)->value_name("DURATION"),
      "How long to wait for one sidecar's config dump (default 60s)")(
      "transport", po::value(&f.transport)->value_name("auto|proxy|exec"),
      "How sidecars are read: proxy = one kubectl proxy on a private Unix socket, HTTP and "
      "WebSocket in process; exec = one kubectl exec per pod; auto (default) = proxy, else exec");
  return d;
}

Result<std::chrono::seconds> parse_duration(const std::string& text, const char* flag) {
  long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  const std::string unit(ptr, end);
  if (ec != std::errc() || value <= 0)
    return bad_input(std::string(flag) + " \"" + text +
                     "\": expected a positive duration like 30s, 5m, 2h or 60d");
  long unit_seconds = 0;
  if (unit == "s")
    unit_seconds = 1;
  else if (unit == "m")
    unit_seconds = 60;
  else if (unit == "h")
    unit_seconds = 3600;
  else if (unit == "d" || unit.empty())
    unit_seconds = 86400;
  else
    return bad_input(std::string(flag) + " \"" + text + "\": unknown unit \"" + unit +
                     "\"; use s, m, h or d");
  // Bounded so that neither this product nor a later conversion to milliseconds overflows.
  constexpr long kMaxSeconds = 100L * 365 * 86400;
  if (value > kMaxSeconds / unit_seconds)
    return bad_input(std::string(flag) + " \"" + text + "\": too long; at most 36500d");
  return std::chrono::seconds(value * unit_seconds);
}

// The dumps in the order given on the flags, then the positionals; `-` (stdin) at most once.
// -n, -A and -l select a cluster's pods and cannot apply to saved files.
Result<std::vector<std::string>> collect_config_dumps(const std::vector<std::string>& flagged,
                                                      const std::vector<std::string>& positional,
                                                      const CommonOptions& common,
                                                      const std::string& selector) {
  std::vector<std::string> conflicts;
  if (common.namespace_name)
    conflicts.push_back("-n/--namespace");
  if (common.all_namespaces)
    conflicts.push_back("-A/--all-namespaces");
  if (!selector.empty())
    conflicts.push_back("-l/--selector");
  if (!conflicts.empty()) {
    std::string flags;
    for (const std::string& flag : conflicts)
      flags += (flags.empty() ? "" : ", ") + flag;
    return bad_input("--config-dump checks saved files; it cannot be combined with " + flags +
                     ", which select pods of a cluster: drop " +
                     (conflicts.size() == 1 ? "it" : "them") + " or --config-dump");
  }
  std::vector<std::string> dumps = flagged;
  dumps.insert(dumps.end(), positional.begin(), positional.end());
  if (std::count(dumps.begin(), dumps.end(), "-") > 1)
    return bad_input("--config-dump -: standard input can be read only once; give - once and "
                     "save the other dumps to files");
  return dumps;
}

} // namespace

Status check_config_dump_files(const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    if (file == "-")
      continue;
    struct stat info {};
    const std::string name = "--config-dump \"" + file + "\": ";
    if (::stat(file.c_str(), &info) != 0)
      return bad_input(name + std::strerror(errno) + "; name a saved config dump (or - for stdin)");
    if (!S_ISREG(info.st_mode))
      return bad_input(name + "not a regular file; name a saved config dump (or - for stdin)");
    if (::access(file.c_str(), R_OK) != 0)
      return bad_input(name + "cannot be read: " + std::strerror(errno));
    if (static_cast<std::size_t>(info.st_size) > mesh::kMaxConfigDumpBytes)
      return bad_input(name + std::to_string(info.st_size) + " bytes is more than the limit of " +
                       mesh::format_byte_size(mesh::kMaxConfigDumpBytes) +
                       " for a config dump; it was not read (save only what check-root needs: "
                       "pilot-agent request GET 'config_dump?resource=dynamic_active_secrets')");
  }
  return done();
}

Result<std::chrono::hours> parse_expiry_warn(const std::string& text) {
  MESHCA_TRY_ASSIGN(auto duration, parse_duration(text, "--expiry-warn"));
  return std::chrono::duration_cast<std::chrono::hours>(duration);
}

Result<CheckRootCommand> parse_check_root(const std::vector<std::string>& args) {
  RawFlags f;
  const po::options_description specific = specific_flags(f);
  auto parsed =
      parse_command_line(kName, args, specific, {"NAMESPACE", 0, PositionalSpec::kUnlimited});
  if (!parsed)
    return parsed.error();
  CheckRootCommand command;
  command.common = parsed->common;
  if (command.common.help || command.common.version)
    return command;
  CheckRootOptions& o = command.options;
  if (!f.config_dumps.empty()) {
    // `--config-dump dumps/*.json`: the shell gives the flag one file and the rest as
    // positionals, so with dumps every positional is another dump.
    auto dumps =
        collect_config_dumps(f.config_dumps, parsed->positional, command.common, f.selector);
    if (!dumps)
      return dumps.error();
    o.config_dumps = std::move(*dumps);
  }
  MESHCA_TRY_ASSIGN(
      auto namespaces,
      namespaces_to_read(f.config_dumps.empty() ? parsed->positional : std::vector<std::string>{},
                         command.common.namespace_name, command.common.all_namespaces));
  o.namespaces = std::move(namespaces);
  auto output =
      parse_output_format(command.common.output, {OutputFormat::text, OutputFormat::wide,
                                                  OutputFormat::json, OutputFormat::yaml});
  if (!output)
    return output.error();
  o.output = *output;
  o.selector = f.selector;
  o.workload_cert = f.workload_cert;
  o.trust_domain = f.trust_domain;
  o.mtls = f.mtls;
  if (!f.require.empty()) {
    MESHCA_TRY_ASSIGN(auto cas, parse_ca_classes(f.require, "--require"));
    o.require = cas;
  }
  if (!f.forbid.empty()) {
    MESHCA_TRY_ASSIGN(auto cas, parse_ca_classes(f.forbid, "--forbid"));
    o.forbid = cas;
  }
  if (!f.meshca_bundle.empty())
    o.meshca_bundle = f.meshca_bundle;
  if (f.parallel < 1 || f.parallel > 1000)
    return bad_input("--parallel " + std::to_string(f.parallel) + ": expected 1 to 1000");
  o.parallel = f.parallel;
  MESHCA_TRY_ASSIGN(auto warn, parse_expiry_warn(f.expiry_warn));
  o.expiry_warn = warn;
  MESHCA_TRY_ASSIGN(auto timeout, parse_duration(f.exec_timeout, "--exec-timeout"));
  o.exec_timeout = timeout;
  auto transport = parse_transport(f.transport);
  if (!transport)
    return transport.error();
  o.transport = *transport;
  return command;
}

po::options_description check_root_flags() {
  static RawFlags sink; // never read
  return specific_flags(sink);
}

void print_check_root_help(std::ostream& out) {
  RawFlags f;
  const HelpText help{
      "kubectl meshca check-root [NAMESPACE...] [-l SELECTOR] [--workload-cert] [--trust-domain] "
      "[--mtls] [-o text|wide|json|yaml] [--require CAS] [--forbid CAS]\n  "
      "kubectl meshca check-root --config-dump FILE... [--workload-cert] [--trust-domain] [...]",
      "Reads each Running sidecar's Envoy config dump (one exec per pod, only the secrets and, "
      "with\n"
      "--trust-domain, the clusters) and reports the CA roots it trusts, who issued its mTLS\n"
      "certificate and the trust domains it accepts. A root is MESHCA when its SHA-256 "
      "fingerprint\n"
      "is in the Mesh CA SPIFFE trust bundle, otherwise CITADEL. Without namespaces every "
      "namespace\n"
      "but kube-system, kube-public and kube-node-lease is checked.\n\n"
      "Exit status: 0 all checks passed, 1 a check or gate failed, 2 bad usage, 3 a pod or the\n"
      "cluster could not be read (the rest is still reported).",
      "# What every sidecar trusts, in migrate_ca's format\n"
      "kubectl meshca check-root\n\n"
      "# Gate round 1: every sidecar in bookinfo trusts both roots\n"
      "kubectl meshca check-root bookinfo --require CITADEL,MESHCA\n\n"
      "# Gate the end: certificates from Mesh CA and no Citadel root left\n"
      "kubectl meshca check-root -A --workload-cert --require MESHCA\n"
      "kubectl meshca check-root -A --forbid CITADEL\n\n"
      "# Before the CA switch: every sidecar accepts both CAs' trust domains (grep MISSING)\n"
      "kubectl meshca check-root -A --trust-domain\n\n"
      "# Can old and new workloads still talk?\n"
      "kubectl meshca check-root -A --workload-cert --mtls\n\n"
      "# Every fact per pod, for scripts\n"
      "kubectl meshca check-root -A -o json\n\n"
      "# Dumps saved from a cluster you cannot reach\n"
      "kubectl meshca check-root --config-dump dumps/*.json"};
  print_command_help(out, help, specific_flags(f));
}

} // namespace meshca
