// meshca-sim: a kube-apiserver stand-in with a simulated Istio mesh, for the real kubectl.
// Flags and control endpoints: tests/sim/README.md.

#include "server/api_server.h"
#include "server/bootstrap.h"
#include "server/fault_flags.h"
#include "server/http_server.h"
#include "server/standalone.h"

#ifdef MESHCA_SIM_HAVE_MESH
#include "mesh/mesh.h"
#include "mesh/mesh_routes.h"
#endif

#include <boost/program_options.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace po = boost::program_options;

namespace {

struct Options {
  std::string scenario, pki_dir, kubeconfig_out, context = "meshca-sim", ready_file, log_file,
                                                 faults_json;
  std::vector<std::string> seeds;
  unsigned short port = 0;
  int readiness_delay_ms = 0;
  sim::FaultFlags faults;
};

// Returns the exit code to stop with (0 for --help), or nullopt to run.
std::optional<int> parse_flags(int argc, char** argv, Options& o) {
  po::options_description desc("meshca-sim: a kube-apiserver stand-in for the real kubectl");
  desc.add_options()("help,h", "show this help")("scenario", po::value(&o.scenario),
                                                 "scenario file (tests/sim/SCENARIO.md)")(
      "seed-json", po::value(&o.seeds), "JSON array or List of objects to create (repeatable)")(
      "pki-dir", po::value(&o.pki_dir),
      "PKI folder: loaded when it holds one (simulators sharing it share roots), else written")(
      "port", po::value(&o.port), "port on 127.0.0.1 (0: ephemeral)")(
      "kubeconfig-out", po::value(&o.kubeconfig_out), "write a kubeconfig for this server")(
      "context", po::value(&o.context), "context, cluster and user name in that kubeconfig")(
      "ready-file", po::value(&o.ready_file), "write the port here once listening")(
      "log", po::value(&o.log_file), "append the mutation log (JSON lines) to this file")(
      "readiness-delay-ms", po::value(&o.readiness_delay_ms),
      "time a new pod or rollout takes to become ready")(
      "exec-latency-ms", po::value(&o.faults.exec_latency_ms), "added to every exec")(
      "faults-json", po::value(&o.faults_json), "a fault document file (as POST /simctl/faults)")(
      "fault-api-error", po::value(&o.faults.api_errors), "VERB:RESOURCE:STATUS[:COUNT]")(
      "fault-drop", po::value(&o.faults.drops), "VERB:RESOURCE[:COUNT]: close without answering")(
      "fault-slow", po::value(&o.faults.slow), "VERB:RESOURCE:MS: answer late")(
      "exec-error", po::value(&o.faults.exec_errors), "NS/POD:EXIT_CODE[:STDERR]")(
      "exec-hang", po::value(&o.faults.exec_hang), "NS/POD: exec never answers")(
      "stuck-rollout", po::value(&o.faults.stuck_rollouts), "NS/NAME: the rollout never completes");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "meshca-sim: error: " << e.what() << " (see --help)\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  return std::nullopt;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int fail(const std::string& message) {
  std::cerr << "meshca-sim: error: " << message << "\n";
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  Options options;
  if (auto code = parse_flags(argc, argv, options))
    return *code;

  // SIGINT/SIGTERM are taken by a dedicated thread (sigwait), so block them before any thread
  // starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  sim::Store store;
  sim::Faults faults;
  sim::MutationLog log(options.log_file);
  sim::Stats stats;
  sim::ApiServer api(store, faults, log, stats);
  sim::ExecHandler exec_handler = [&store](const sim::ExecRequest& r) {
    return sim::standalone_exec(store, r);
  };
  std::unique_ptr<sim::RolloutStatusController> rollouts;

#ifdef MESHCA_SIM_HAVE_MESH
  std::unique_ptr<sim::mesh::Mesh> mesh;
  if (!options.scenario.empty()) {
    auto loaded = sim::mesh::Mesh::load(options.scenario, store,
                                        {options.readiness_delay_ms, options.pki_dir});
    if (auto* error = std::get_if<std::string>(&loaded))
      return fail(*error);
    mesh = std::move(std::get<std::unique_ptr<sim::mesh::Mesh>>(loaded));
    auto* m = mesh.get();
    exec_handler = [m](const sim::ExecRequest& r) { return m->exec(r); };
    sim::mesh::add_mesh_routes(*m, api, faults);
  }
#else
  if (!options.scenario.empty())
    return fail("this build has no mesh (tests/sim/mesh); --scenario is unavailable");
#endif
  if (options.scenario.empty())
    api.add_simctl_route("install", [](const sim::ApiRequest&) {
      return sim::error_response(404, "NotFound",
                                 "/simctl/install needs a mesh: start meshca-sim with --scenario");
    });
  sim::ensure_system_namespaces(store);
  for (const auto& seed : options.seeds)
    if (auto error = sim::load_seed(seed, store))
      return fail(*error);
  if (options.scenario.empty()) {
    rollouts = std::make_unique<sim::RolloutStatusController>(store, options.readiness_delay_ms);
    auto* r = rollouts.get();
    faults.set_stuck_rollout_handler([r](const std::string& ns, const std::string& name,
                                         bool stuck) { r->set_stuck(ns, name, stuck); });
  }

  auto fault_doc = sim::fault_flags_to_json(options.faults);
  if (!fault_doc.error.empty())
    return fail(fault_doc.error);
  if (!options.faults_json.empty()) {
    auto text = read_file(options.faults_json);
    if (!text)
      return fail("cannot read --faults-json " + options.faults_json);
    if (auto error = faults.apply_json(*text))
      return fail("--faults-json " + options.faults_json + ": " + *error);
  }
  if (auto error = faults.apply_json(fault_doc.json))
    return fail(*error);

  sim::HttpServer server(api, exec_handler);
  unsigned short port = 0;
  try {
    port = server.listen(options.port);
  } catch (const std::exception& e) {
    return fail("cannot listen on 127.0.0.1:" + std::to_string(options.port) + ": " + e.what());
  }
  if (!options.kubeconfig_out.empty())
    if (auto error = sim::write_kubeconfig(options.kubeconfig_out, port, options.context))
      return fail(*error);
#ifdef MESHCA_SIM_HAVE_MESH
  if (mesh)
    mesh->start();
#endif
  if (rollouts)
    rollouts->start();
  if (!options.ready_file.empty())
    if (auto error = sim::write_file_atomically(options.ready_file, std::to_string(port) + "\n"))
      return fail(*error);
  std::cout << "meshca-sim listening on http://127.0.0.1:" << port << std::endl;

  std::thread signal_waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    server.stop();
  });
  server.run();
  if (rollouts)
    rollouts->stop();
#ifdef MESHCA_SIM_HAVE_MESH
  if (mesh)
    mesh->stop();
#endif
  pthread_kill(signal_waiter.native_handle(), SIGTERM); // no-op if it already returned
  signal_waiter.join();
  return 0;
}
