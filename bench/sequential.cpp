#include "sequential.h"

#include "meshca/util/process.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sys/resource.h>

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

double children_cpu_s() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(usage.ru_utime) + s(usage.ru_stime);
}

bool run_kubectl(const std::string& kubectl, std::vector<std::string> args) {
  auto output =
      meshca::run_process({kubectl, std::move(args), std::nullopt, std::chrono::minutes(2), {}});
  return output.ok() && output->succeeded() && !output->out.empty();
}

} // namespace

int sequential_main(const std::vector<std::string>& args) {
  if (args.size() != 3) {
    std::cerr << "usage: meshca-bench sequential KUBECTL KUBECONFIG PODS_FILE\n";
    return 2;
  }
  const std::string& kubectl = args[0];
  const std::string& kubeconfig = args[1];
  std::ifstream pods(args[2]);
  const auto start = Clock::now();
  const bool listed =
      run_kubectl(kubectl, {"--kubeconfig", kubeconfig, "get", "pods", "-A", "-o", "json"});
  const double list_wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double list_cpu = children_cpu_s();
  int count = 0;
  int failures = listed ? 0 : 1;
  for (std::string ns, name; pods >> ns >> name; ++count) {
    if (!run_kubectl(kubectl,
                     {"--kubeconfig", kubeconfig, "exec", "--namespace", ns, name, "--container",
                      "istio-proxy", "--", "pilot-agent", "request", "GET", "config_dump"}))
      ++failures;
  }
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "pods=%d failures=%d list_wall_s=%.4f list_cpu_s=%.4f execs_wall_s=%.4f execs_cpu_s=%.4f\n",
      count, failures, list_wall, list_cpu, wall - list_wall, children_cpu_s() - list_cpu);
  return failures == 0 ? 0 : 1;
}

} // namespace bench
