#pragma once
// The main of every command's executable, written once: parse the command line (bad input:
// exit 2), --help, --version, names from stdin (`-`), Ctrl-C handling installed once, the
// command run, each error it ends with reported as `kubectl meshca NAME: error: ...` after its
// output, and the exit status by the one rule (util/exit_status.h, worst). A plugin's main:
//
//   int main(int argc, char** argv) {
//     return meshca::run_plugin(meshca::rollout_plugin(), argc, argv);
//   }

#include "meshca/cli/common_options.h"
#include "meshca/cli/version_line.h"
#include "meshca/kube/kubectl.h"
#include "meshca/kube/proxied_reads.h"
#include "meshca/mesh/dump_fetcher.h"
#include "meshca/util/heap_arenas.h"
#include "meshca/util/result.h"

#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// What the runner hands a command's run.
struct PluginContext {
  std::istream& in;
  std::ostream& out;               // data
  std::ostream& err;               // diagnostics
  const std::atomic<bool>& cancel; // set by the first Ctrl-C (util/interrupt.h)
};

// How a command's run ended. The runner reports `errors` (each classified: a kubeconfig or
// selector mistake is bad input), then prints `after_errors` on stderr, and exits with the most
// severe of `status` and the errors' statuses.
struct RunOutcome {
  ExitStatus status = ExitStatus::ok; // the verdict: ok, or check_failed
  std::vector<Error> errors;
  std::string after_errors; // a closing hint that belongs below the errors ("Next: ...")

  RunOutcome() = default;
  RunOutcome(ExitStatus verdict) : status(verdict) {} // NOLINT: a verdict alone is an outcome
  RunOutcome(Error error) { errors.push_back(std::move(error)); } // NOLINT: so is one error
};

template <class Command>
struct PluginDefinition {
  std::string_view name; // as in `kubectl meshca NAME`: "rollout"
  Result<Command> (*parse)(const std::vector<std::string>& args);
  void (*print_help)(std::ostream& out);
  // Reads what `-` asks for from stdin; null for a command that takes nothing from stdin.
  Status (*read_stdin)(Command& command, std::istream& in) = nullptr;
  RunOutcome (*run)(const Command& command, PluginContext& context);
  // The -l selector given, so that an unparsable one is reported as bad input; null for none.
  std::string (*selector)(const Command& command) = nullptr;
};

// The kubectl that serves a command and the cluster it reaches, checked as every command that
// reads the mesh needs it: kubectl found, the kubeconfig and its names valid (bad_input), the
// cluster holding istio-system (bad_input when it does not: the wrong cluster). Then one
// `kubectl proxy` for the run: `runner()` reads lists through it (kube/proxied_reads.h, a few
// milliseconds each where a kubectl process costs 100-300 ms) and runs everything else, writes
// and Secrets included, as kubectl processes. A proxy that cannot start leaves every call to
// kubectl, with a one-line note. Turns on the run's read memo (kube/read_memo.h).
struct MeshConnection {
  std::string kubectl_path;
  std::unique_ptr<Kubectl> kubectl; // the first --context's
  ClusterReaders readers;           // its proxy and client, when the proxy started
  std::unique_ptr<ProxiedReads> proxied;

  MeshConnection();
  MeshConnection(MeshConnection&&) noexcept;
  MeshConnection& operator=(MeshConnection&&) noexcept;
  // Members go in reverse order: the reads first, then the client and its proxy, then kubectl.
  ~MeshConnection();

  KubectlRunner& runner() {
    return proxied ? static_cast<KubectlRunner&>(*proxied) : static_cast<KubectlRunner&>(*kubectl);
  }
};
Result<MeshConnection> connect_to_mesh(const CommonOptions& common,
                                       std::ostream& notes = std::cerr);

// Parses and validates a command line as run_plugin does before running: the registry's
// check_command_line for a command (cli/command_table.h) and the argv fuzzer's entry. Two
// templates rather than a defaulted null ReadStdin: comparing a function pointer template
// argument with null is not a constant expression under -fsanitize=undefined.
template <class Command, Result<Command> (*Parse)(const std::vector<std::string>&)>
Status check_command_line(const std::vector<std::string>& args, std::istream& /*in*/) {
  auto command = Parse(args);
  if (!command)
    return command.error();
  return Done{};
}
template <class Command, Result<Command> (*Parse)(const std::vector<std::string>&),
          Status (*ReadStdin)(Command&, std::istream&)>
Status check_command_line_with_stdin(const std::vector<std::string>& args, std::istream& in) {
  auto command = Parse(args);
  if (!command)
    return command.error();
  return ReadStdin(*command, in);
}

// Installs the Ctrl-C handlers once and returns their flag.
const std::atomic<bool>& plugin_cancel_flag();

// Reports the outcome's errors and its closing hint; returns the exit code.
int finish_plugin(std::string_view name, const RunOutcome& outcome, const std::string& selector);

template <class Command>
int run_plugin(const PluginDefinition<Command>& plugin, int argc, char** argv) {
  limit_heap_arenas(); // before any thread starts (util/heap_arenas.h)
  auto command = plugin.parse(std::vector<std::string>(argv + 1, argv + argc));
  if (!command)
    return report_error(plugin.name, command.error());
  if (command->common.help) {
    plugin.print_help(std::cout);
    return 0;
  }
  if (command->common.version) {
    print_version(std::cout);
    return 0;
  }
  if (plugin.read_stdin != nullptr) {
    if (auto read = plugin.read_stdin(*command, std::cin); !read)
      return report_error(plugin.name, read.error());
  }
  PluginContext context{std::cin, std::cout, std::cerr, plugin_cancel_flag()};
  const RunOutcome outcome = plugin.run(*command, context);
  std::cout << std::flush;
  return finish_plugin(plugin.name, outcome,
                       plugin.selector != nullptr ? plugin.selector(*command) : std::string());
}

} // namespace meshca
