// meshca-bench: check-root on large simulated meshes against the cost floor and against the
// sequential one-kubectl-process-per-pod baseline, in one run (docs/performance.md).
//   meshca-bench --sim PATH --check-root PATH --exec-bench PATH [--pods 1000,5000]
//                [--latency-ms 50] [--outbound-clusters 300] [--sample 40] [--workdir DIR]
//                [--parallel 32] [--skip-exec-transport-above N] [--plot FILE.svg]
// Subcommands used by the driver itself: `measure ...` (measure.h), `sequential ...`
// (sequential.h).

#include "measure.h"
#include "meshca/kube/kubectl.h"
#include "meshca/mesh/dump_fetcher.h"
#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/http_get.h"
#include "meshca/util/json.h"
#include "plot.h"
#include "report.h"
#include "sequential.h"
#include "sim_instance.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string sim, check_root, exec_bench, kubectl, workdir, self;
  std::string traffic; // kubectl-meshca-traffic, measured beside check-root when given
  std::string status;  // kubectl-meshca-status: its whole-cluster pod list, a page at a time
  std::string plot;    // where the SVG of wall time and memory against N goes, when given
  std::vector<int> pods = {1000, 5000};
  int latency_ms = 50, outbound_clusters = 300, sample = 40, parallel = 32;
  int skip_exec_above = 1000000;
};

bool parse(const std::vector<std::string>& a, Options& o) {
  for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
    const std::string& flag = a[i];
    const std::string& value = a[i + 1];
    if (flag == "--sim")
      o.sim = value;
    else if (flag == "--check-root")
      o.check_root = value;
    else if (flag == "--exec-bench")
      o.exec_bench = value;
    else if (flag == "--traffic")
      o.traffic = value;
    else if (flag == "--status")
      o.status = value;
    else if (flag == "--kubectl")
      o.kubectl = value;
    else if (flag == "--workdir")
      o.workdir = value;
    else if (flag == "--plot")
      o.plot = value;
    else if (flag == "--latency-ms")
      o.latency_ms = std::stoi(value);
    else if (flag == "--outbound-clusters")
      o.outbound_clusters = std::stoi(value);
    else if (flag == "--sample")
      o.sample = std::stoi(value);
    else if (flag == "--parallel")
      o.parallel = std::stoi(value);
    else if (flag == "--skip-exec-transport-above")
      o.skip_exec_above = std::stoi(value);
    else if (flag == "--pods") {
      o.pods.clear();
      std::stringstream list(value);
      for (std::string n; std::getline(list, n, ',');)
        o.pods.push_back(std::stoi(n));
    } else
      return false;
  }
  return a.size() % 2 == 0 && !o.sim.empty() && !o.check_root.empty() && !o.exec_bench.empty();
}

// meshca-sim-exec-bench's one line, as numbers.
std::map<std::string, double> exec_bench(const Options& o, const bench::SimInstance& sim,
                                         const meshca::SidecarPod& pod, int concurrency, int total,
                                         const std::string& path) {
  meshca::ProcessSpec spec{o.exec_bench,
                           {std::to_string(sim.port()), pod.ns, pod.name, "--concurrency",
                            std::to_string(concurrency), "--total", std::to_string(total),
                            "--command", "pilot-agent", "--command", "request", "--command", "GET",
                            "--command", path},
                           std::nullopt,
                           std::chrono::minutes(10),
                           {}};
  std::map<std::string, double> values;
  auto output = meshca::run_process(spec);
  if (!output)
    return values;
  std::stringstream words(output->out);
  for (std::string word; words >> word;) {
    const auto eq = word.find('=');
    if (eq != std::string::npos)
      values[word.substr(0, eq)] = std::atof(word.c_str() + eq + 1);
  }
  return values;
}

long long execs_now(const bench::SimInstance& sim) {
  auto stats = sim.stats();
  return stats ? (*stats)["execs"] : -1;
}

// `args` in full: the cluster comes from the environment (KUBECONFIG).
bench::Run measure_plugin(const Options& o, const std::string& program,
                          const bench::SimInstance& sim, const std::string& label,
                          std::vector<std::string> args) {
  const std::string cache =
      std::filesystem::path(sim.kubeconfig()).parent_path().string() + "/kube-cache";
  meshca::ProcessSpec spec{
      program, args, std::nullopt, {}, {{"KUBECONFIG", sim.kubeconfig()}, {"KUBECACHEDIR", cache}}};
  if (!o.kubectl.empty())
    spec.extra_env.emplace_back("KUBECTL", o.kubectl);
  bench::Run run;
  run.label = label;
  const long long before = execs_now(sim);
  auto m = bench::measure(o.self, spec);
  run.execs = execs_now(sim) - before;
  if (!m) {
    run.error = m.error().message;
    return run;
  }
  run.m = *m;
  if (m->exit_code != 0)
    run.error = "exit code " + std::to_string(m->exit_code) + ": " + m->err.substr(0, 400);
  std::cerr << "  " << label << ": " << m->wall_s << " s wall, " << m->cpu_s << " s CPU\n";
  return run;
}

// check-root and traffic: every namespace, the simulator's Mesh CA bundle, then `extra`.
std::vector<std::string> mesh_args(const bench::SimInstance& sim, std::vector<std::string> extra) {
  std::vector<std::string> args = {"-A", "--meshca-bundle", sim.bundle()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

bench::Run measure_check_root(const Options& o, const bench::SimInstance& sim,
                              const std::string& label, std::vector<std::string> extra) {
  return measure_plugin(o, o.check_root, sim, label, mesh_args(sim, std::move(extra)));
}

bench::Sequential measure_sequential(const Options& o, const bench::SimInstance& sim,
                                     const std::vector<meshca::SidecarPod>& pods) {
  bench::Sequential seq;
  const std::string file =
      std::filesystem::path(sim.kubeconfig()).parent_path().string() + "/sample.txt";
  {
    std::ofstream out(file);
    const std::size_t step =
        std::max<std::size_t>(1, pods.size() / static_cast<std::size_t>(o.sample));
    for (std::size_t i = 0; i < pods.size() && seq.sampled < o.sample; i += step, ++seq.sampled)
      out << pods[i].ns << " " << pods[i].name << "\n";
  }
  const std::string kubectl =
      o.kubectl.empty() ? meshca::locate_kubectl(std::nullopt).value() : o.kubectl;
  const std::string cache = std::filesystem::path(file).parent_path().string() + "/kube-cache";
  auto m = bench::measure(o.self, {o.self,
                                   {"sequential", kubectl, sim.kubeconfig(), file},
                                   std::nullopt,
                                   {},
                                   {{"KUBECACHEDIR", cache}}});
  if (!m) {
    seq.error = m.error().message;
    return seq;
  }
  seq.m = *m;
  std::stringstream words(m->out);
  for (std::string word; words >> word;) {
    const auto eq = word.find('=');
    if (eq != std::string::npos)
      seq.values[word.substr(0, eq)] = std::atof(word.c_str() + eq + 1);
  }
  if (m->exit_code != 0)
    seq.error = "exit code " + std::to_string(m->exit_code) + " " + m->out;
  return seq;
}

// One mesh size: its report (printed), or nothing when the simulator could not be started.
std::optional<bench::Report> run_one(const Options& o, int pods) {
  bench::SimSettings settings{o.sim,
                              o.workdir + "/n" + std::to_string(pods),
                              pods,
                              20,
                              o.outbound_clusters,
                              o.latency_ms,
                              !o.traffic.empty()};
  std::filesystem::create_directories(settings.dir);
  std::cerr << "N=" << pods << ": starting meshca-sim (" << o.outbound_clusters
            << " outbound clusters, " << o.latency_ms << " ms exec latency)\n";
  const auto sim_start = Clock::now();
  auto sim = bench::SimInstance::start(settings);
  if (!sim) {
    std::cerr << "error: " << sim.error().message << "\n";
    return std::nullopt;
  }
  bench::Report report;
  report.pods = pods;
  report.latency_ms = o.latency_ms;
  report.parallel = o.parallel;
  report.sim_start_s = std::chrono::duration<double>(Clock::now() - sim_start).count();

  // The floor's list term: one unpaginated list straight from the simulator (no kubectl).
  meshca::HttpGetOptions big;
  big.max_bytes = std::size_t{1} << 30;
  big.timeout = std::chrono::seconds(60);
  const auto list_start = Clock::now();
  auto list = meshca::http_get((*sim)->url("/api/v1/pods"), big);
  report.list_s = std::chrono::duration<double>(Clock::now() - list_start).count();
  if (!list) {
    std::cerr << "error: " << list.error().message << "\n";
    return std::nullopt;
  }
  report.list_bytes = list->size();
  auto doc = meshca::json::parse(*list, "pod list");
  auto selection = meshca::select_sidecar_pods(*doc, true);
  const std::vector<meshca::SidecarPod> sidecars = selection->sidecars;
  list->clear();

  std::cerr << "  simulator exec round trip and throughput\n";
  const std::string masked(meshca::kSecretsDumpPath);
  const auto& probe = sidecars.front();
  report.rtt = exec_bench(o, **sim, probe, 1, 20, masked);
  report.throughput = exec_bench(o, **sim, probe, 256, 5120, masked);
  report.throughput_full = exec_bench(o, **sim, probe, o.parallel, o.parallel * 10, "config_dump");

  std::cerr << "  check-root runs\n";
  const std::string parallel = std::to_string(o.parallel);
  report.runs.push_back(measure_check_root(o, **sim, "check-root -A (proxy)",
                                           {"--transport", "proxy", "--parallel", parallel}));
  report.runs.push_back(
      measure_check_root(o, **sim, "check-root -A --trust-domain (proxy, ~1 MB dumps)",
                         {"--transport", "proxy", "--trust-domain", "--parallel", parallel}));
  if (pods <= o.skip_exec_above)
    report.runs.push_back(measure_check_root(o, **sim, "check-root -A (exec)",
                                             {"--transport", "exec", "--parallel", parallel}));
  if (!o.traffic.empty())
    report.runs.push_back(
        measure_plugin(o, o.traffic, **sim, "traffic -A (proxy)",
                       mesh_args(**sim, {"--transport", "proxy", "--parallel", parallel})));
  if (!o.status.empty())
    report.runs.push_back(measure_plugin(o, o.status, **sim, "status (kubectl, pods paged)", {}));
  std::cerr << "  sequential baseline on " << o.sample << " pods\n";
  report.sequential = measure_sequential(o, **sim, sidecars);
  bench::print_report(report, std::cout);
  return report;
}

std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one;
  file >> one;
  return one.empty() ? "unknown" : one;
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "measure")
    return bench::measure_main({args.begin() + 1, args.end()});
  if (!args.empty() && args[0] == "sequential")
    return bench::sequential_main({args.begin() + 1, args.end()});
  Options o;
  if (!parse(args, o)) {
    std::cerr
        << "usage: meshca-bench --sim PATH --check-root PATH --exec-bench PATH [--pods 1000,5000] "
           "[--latency-ms 50] [--outbound-clusters 300] [--sample 40] [--parallel 32] [--workdir "
           "DIR] "
           "[--kubectl PATH] [--skip-exec-transport-above N] [--plot FILE.svg] [--traffic PATH] "
           "[--status PATH]\n";
    return 2;
  }
  o.self = std::filesystem::canonical("/proc/self/exe").string();
  const bool temp = o.workdir.empty();
  if (temp)
    o.workdir = meshca::make_private_temp_dir("").value();
  const std::string load = load_average();
  int status = 0;
  std::vector<bench::Report> reports;
  for (const int pods : o.pods) {
    auto report = run_one(o, pods);
    if (!report) {
      status = 3;
      continue;
    }
    if (!report->ok())
      status = std::max(status, 1);
    reports.push_back(std::move(*report));
  }
  bench::print_summary(reports, std::cout);
  if (!o.plot.empty() && !reports.empty()) {
    const std::string caption =
        "meshca-bench: " + std::to_string(std::thread::hardware_concurrency()) +
        " cores, load average " + load + " at the start, " + std::to_string(o.latency_ms) +
        " ms exec latency, --parallel " + std::to_string(o.parallel) + ", " +
        std::to_string(o.outbound_clusters) + " outbound clusters per sidecar";
    std::ofstream(o.plot) << bench::plot_svg(reports, caption);
    std::cerr << "plot: " << o.plot << "\n";
  }
  if (temp)
    std::filesystem::remove_all(o.workdir);
  return status;
}
