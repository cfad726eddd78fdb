// Shell completion through the real kubectl's plugin completion (`kubectl __complete meshca ...`,
// what kubectl's completion script runs on Tab): with every executable on PATH, with only
// kubectl-meshca and kubectl_complete-meshca linked (krew), and after docs/completion.md's step.

#include "plugin_runner.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

using e2e::SimCluster;

namespace {

namespace fs = std::filesystem;
using Words = std::vector<std::string>;

const Words kCommands = {"check-root",     "relabel",   "rollout", "cleanup-secrets", "status",
                         "prune-revision", "preflight", "traffic", "migrate",         "report"};

struct Answer {
  Words values;       // the candidates, without their descriptions
  Words lines;        // the candidate lines as printed
  int directive = -1; // the ":N" line, -1 when absent
  double seconds = 0;
};

Answer complete(const SimCluster& sim, const std::string& path_first, Words words) {
  Words args = {"__complete", "meshca"};
  args.insert(args.end(), words.begin(), words.end());
  const auto start = std::chrono::steady_clock::now();
  const meshca::ProcessOutput output = e2e::run_kubectl_with_plugins(sim, path_first, args);
  Answer answer;
  answer.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(output.err);
  REQUIRE(output.exit_code == 0);
  std::istringstream lines(output.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(":")) {
      answer.directive = std::stoi(line.substr(1));
      continue;
    }
    answer.lines.push_back(line);
    answer.values.push_back(line.substr(0, line.find('\t')));
  }
  return answer;
}

bool has(const Words& all, const std::string& value) {
  return std::find(all.begin(), all.end(), value) != all.end();
}

long count(const Words& all, const std::string& value) {
  return std::count(all.begin(), all.end(), value);
}

// A folder like krew's bin: only kubectl-meshca and kubectl_complete-meshca, linked.
std::string krew_style_bin(const SimCluster& sim) {
  const std::string dir = sim.dir() + "/krew-bin";
  fs::create_directories(dir);
  for (const char* name : {"kubectl-meshca", "kubectl_complete-meshca"})
    fs::create_symlink(e2e::plugin_path(name), dir + "/" + name);
  return dir;
}

// The `ln -sf ...` line of docs/completion.md.
std::string documented_link_step() {
  const fs::path source = fs::path(MESHCA_SCENARIO_DIR).parent_path().parent_path().parent_path();
  std::ifstream doc(source / "docs" / "completion.md");
  REQUIRE(doc.good());
  std::string line;
  while (std::getline(doc, line)) {
    if (line.starts_with("ln -sf "))
      return line;
  }
  FAIL("docs/completion.md has no line starting with `ln -sf `");
  return {};
}

// A server that accepts connections (the kernel does, from the backlog) and never answers.
class SilentServer {
 public:
  SilentServer() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    REQUIRE(::bind(fd_, generic, size) == 0);
    REQUIRE(::listen(fd_, 64) == 0);
    REQUIRE(::getsockname(fd_, generic, &size) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

std::string write_kubeconfig(const std::string& path, const std::string& server) {
  std::ofstream(path) << "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                         "clusters: [{name: c, cluster: {server: '"
                      << server
                      << "'}}]\n"
                         "contexts: [{name: c, context: {cluster: c, user: u}}]\n"
                         "users: [{name: u, user: {token: x}}]\n";
  return path;
}

void check_demo_namespaces(const Answer& answer) {
  for (const char* ns : {"bookinfo", "shop", "observability", "batch", "plain", "istio-system"})
    CHECK_MESSAGE(has(answer.values, ns), ns);
  CHECK(answer.directive == 4);
}

} // namespace

TEST_CASE("every command has its completion link next to the executables") {
  CHECK(fs::is_regular_file(e2e::plugin_path("kubectl_complete-meshca")));
  for (const std::string& command : kCommands) {
    std::string suffix = command;
    std::replace(suffix.begin(), suffix.end(), '-', '_');
    const std::string link = e2e::plugin_path("kubectl_complete-meshca-" + suffix);
    CHECK_MESSAGE(fs::is_symlink(link), link);
    CHECK_MESSAGE(fs::read_symlink(link) == "kubectl_complete-meshca", link); // relative
    CHECK_MESSAGE(fs::is_regular_file(e2e::plugin_path("kubectl-meshca-" + suffix)), suffix);
  }
}

TEST_CASE("with every executable on PATH: commands once each, flags and values per command") {
  SimCluster sim(e2e::scenario("demo.json"));
  const Answer commands = complete(sim, e2e::plugin_dir(), {""});
  for (const std::string& command : kCommands)
    CHECK_MESSAGE(count(commands.values, command) == 1, command); // kubectl's, ours left out
  CHECK(commands.directive == 4);

  const Answer flags = complete(sim, e2e::plugin_dir(), {"check-root", "--"});
  for (const char* flag :
       {"--transport", "--workload-cert", "--namespace", "--context", "--output"})
    CHECK_MESSAGE(has(flags.values, flag), flag);
  CHECK_FALSE(has(flags.values, "--revision"));
  CHECK(flags.directive == 4);
  CHECK(has(flags.lines, "--mtls\tGroup sidecars by trust bundle and issuing chain and check every "
                         "pair can authenticate"));

  CHECK(complete(sim, e2e::plugin_dir(), {"rollout", "-o", ""}).values == Words{"text", "json"});
  CHECK(complete(sim, e2e::plugin_dir(), {"relabel", "ns", "--dry-run="}).values ==
        Words{"none", "client", "server"});
  const Answer dirs = complete(sim, e2e::plugin_dir(), {"cleanup-secrets", "--backup-dir", ""});
  CHECK(dirs.values.empty());
  CHECK(dirs.directive == 16);
  CHECK(complete(sim, e2e::plugin_dir(), {"check-root", "--config-dump", ""}).directive == 0);
}

TEST_CASE("namespaces, revisions and contexts come from the demo cluster") {
  SimCluster sim(e2e::scenario("demo.json"));
  check_demo_namespaces(complete(sim, e2e::plugin_dir(), {"relabel", "ns", ""}));
  const Answer b = complete(sim, e2e::plugin_dir(), {"check-root", "shop", "-n", "b"});
  CHECK(b.values == Words{"batch", "bookinfo"});
  const Answer given = complete(sim, e2e::plugin_dir(), {"rollout", "bookinfo", "b"});
  CHECK(given.values == Words{"batch"}); // bookinfo is named already

  const Answer targets =
      complete(sim, e2e::plugin_dir(), {"relabel", "ns", "shop", "--revision", ""});
  CHECK(targets.values == Words{"asm-1-19", "asm-1-19-mcroot", "asm-1-19-meshca", "default"});
  CHECK(has(targets.lines, "default\trevision tag for asm-1-19"));
  const Answer old = complete(sim, e2e::plugin_dir(), {"prune-revision", ""});
  CHECK(old.values == Words{"asm-1-19", "asm-1-19-mcroot", "asm-1-19-meshca"});
  CHECK(old.directive == 4);

  const Answer contexts = complete(sim, e2e::plugin_dir(), {"status", "--context", ""});
  CHECK(contexts.values == Words{"meshca-sim"});
  // A context typed on the line is used for the lookup: an unknown one gives nothing.
  const Answer wrong =
      complete(sim, e2e::plugin_dir(), {"check-root", "--context", "nope", "-n", ""});
  CHECK(wrong.values.empty());
  CHECK(wrong.directive == 4);
  CHECK(sim.log().empty()); // completion only reads
}

TEST_CASE("krew layout: only kubectl-meshca and kubectl_complete-meshca on PATH") {
  SimCluster sim(e2e::scenario("demo.json"));
  const std::string bin = krew_style_bin(sim);
  const Answer commands = complete(sim, bin, {""});
  CHECK(commands.values == kCommands);
  CHECK(has(commands.lines, "status\tShow where the migration stands and the next command to run"));
  const Answer flags = complete(sim, bin, {"check-root", "--"});
  CHECK(has(flags.values, "--transport"));
  CHECK(has(flags.values, "--workload-cert"));
  CHECK(flags.directive == 4);
  check_demo_namespaces(
      complete(sim, bin, {"--kubeconfig", sim.kubeconfig(), "rollout", "-n", ""}));
  CHECK(complete(sim, bin, {"prune-revision", "asm"}).values ==
        Words{"asm-1-19", "asm-1-19-mcroot", "asm-1-19-meshca"});
}

TEST_CASE("docs/completion.md's step after a krew install enables completion") {
  SimCluster sim(e2e::scenario("demo.json"));
  // krew's layout: the archive unpacked in a store folder (here: links to the built files), only
  // kubectl-meshca linked into bin.
  const std::string store = sim.dir() + "/krew/store/meshca/v0";
  const std::string bin = sim.dir() + "/krew/bin";
  fs::create_directories(store);
  fs::create_directories(bin);
  for (const auto& entry : fs::directory_iterator(e2e::plugin_dir())) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("kubectl-meshca") || name.starts_with("kubectl_complete-meshca"))
      fs::create_symlink(entry.path(), store + "/" + name);
  }
  fs::create_symlink(store + "/kubectl-meshca", bin + "/kubectl-meshca");
  CHECK(complete(sim, bin, {"check-root", "--"}).values.empty()); // no completer yet

  // The documented line is meant for the user's shell, so a shell runs it here.
  meshca::ProcessSpec spec;
  spec.program = "/bin/bash";
  spec.args = {"-c", documented_link_step()};
  spec.extra_env = e2e::plugin_env(sim, bin);
  auto ran = meshca::run_process(spec);
  REQUIRE(ran.ok());
  INFO(ran->err);
  REQUIRE(ran->exit_code == 0);
  CHECK(fs::is_symlink(bin + "/kubectl_complete-meshca"));
  CHECK(fs::is_symlink(bin + "/kubectl_complete-meshca-check_root"));

  const Answer flags = complete(sim, bin, {"check-root", "--"});
  CHECK(has(flags.values, "--transport"));
  CHECK(complete(sim, bin, {""}).values == kCommands);
}

TEST_CASE("a slow or unreachable cluster: no candidates, quickly") {
  SimCluster sim(e2e::scenario("demo.json", {"--fault-slow", "list:*:4000"}));
  const Answer slow = complete(sim, e2e::plugin_dir(), {"relabel", "ns", "--revision", ""});
  CHECK(slow.values.empty()); // waited out, the answer after 4 s would have named namespaces
  CHECK(slow.directive == 4);
  // The completer gives up after 3 s in all. The bounds here leave room for a loaded machine and
  // the sanitizer build (4.5 s was seen for the 3 s one) and still fail a completer that waits
  // for kubectl: about 12 s of discovery retries against the silent server below, more with the
  // gcloud dispatcher's own 5 s wait.
  constexpr double kGaveUp = 8.5;
  CHECK(slow.seconds < kGaveUp);

  // A kubeconfig typed on the line whose server refuses connections.
  const std::string dead = write_kubeconfig(sim.dir() + "/dead", "http://127.0.0.1:1");
  const Answer down = complete(sim, e2e::plugin_dir(), {"relabel", "--kubeconfig", dead, "ns", ""});
  CHECK(down.values.empty());
  CHECK(down.directive == 4);
  CHECK(down.seconds < kGaveUp);
  CHECK(
      complete(sim, e2e::plugin_dir(), {"relabel", "--kubeconfig", dead, "--context", ""}).values ==
      Words{"c"});

  // One whose server never answers: kubectl alone would retry discovery for about 12 s. The
  // completer is run as kubectl runs it, because this machine's kubectl (the gcloud version
  // dispatcher) itself first waits up to 5 s for the server's version of a --kubeconfig it sees.
  const SilentServer silent;
  const std::string hung =
      write_kubeconfig(sim.dir() + "/hung", "http://127.0.0.1:" + std::to_string(silent.port()));
  meshca::ProcessSpec spec;
  spec.program = e2e::plugin_path("kubectl_complete-meshca-relabel");
  spec.args = {"--kubeconfig", hung, "ns", ""};
  spec.timeout = std::chrono::seconds(30);
  spec.extra_env = e2e::plugin_env(sim, e2e::plugin_dir());
  const auto start = std::chrono::steady_clock::now();
  auto hanging = meshca::run_process(spec);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(hanging.ok());
  CHECK(hanging->exit_code == 0);
  CHECK(hanging->out == ":4\n");
  CHECK(hanging->err.empty());
  CHECK(seconds < kGaveUp); // 3 s in all, then its kubectl is stopped
}
