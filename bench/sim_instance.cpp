#include "sim_instance.h"

#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/http_get.h"
#include "meshca/util/json.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string scenario_json(const SimSettings& s) {
  std::ostringstream out;
  out << R"({"description":"benchmark mesh","project_id":"bench-project",)"
      << R"("revisions":[{"name":"asm-1-19","ca":"citadel-meshca-root"}],"tags":{"default":"asm-1-19"},)"
      << R"("scale":{"namespaces":)" << s.namespaces << R"(,"pods":)" << s.pods
      << R"(,"outbound_clusters":)" << s.outbound_clusters << R"(,"workloads_per_namespace":5)"
      << (s.traffic ? R"(,"traffic":true)" : "") << "}}";
  return out.str();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

meshca::HttpGetOptions big() {
  meshca::HttpGetOptions options;
  options.timeout = std::chrono::seconds(60);
  options.max_bytes = std::size_t{1} << 30;
  return options;
}

} // namespace

meshca::Result<int> running_sidecars(const std::string& pod_list_json) {
  auto doc = meshca::json::parse(pod_list_json, "pod list");
  if (!doc)
    return doc.error();
  auto selection = meshca::select_sidecar_pods(*doc, true);
  if (!selection)
    return selection.error();
  return static_cast<int>(selection->sidecars.size());
}

meshca::Result<std::unique_ptr<SimInstance>> SimInstance::start(const SimSettings& s) {
  const std::string scenario = s.dir + "/scenario.json";
  std::ofstream(scenario) << scenario_json(s);
  const std::string ready = s.dir + "/ready";
  auto process = meshca::BackgroundProcess::start(
      {s.binary,
       {"--scenario", scenario, "--pki-dir", s.dir + "/pki", "--kubeconfig-out",
        s.dir + "/kubeconfig", "--ready-file", ready, "--exec-latency-ms",
        std::to_string(s.exec_latency_ms)},
       s.dir + "/sim.log",
       {}});
  if (!process)
    return process.error();
  const auto deadline = Clock::now() + std::chrono::minutes(5);
  std::string port_text;
  while ((port_text = read_file(ready)).empty()) {
    if (process->exit_code() || Clock::now() > deadline)
      return meshca::cluster_error("meshca-sim did not start: " + read_file(s.dir + "/sim.log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto sim = std::unique_ptr<SimInstance>(
      new SimInstance(s.dir, std::move(*process), std::stoi(port_text)));
  while (true) {
    auto pods = meshca::http_get(sim->url("/api/v1/pods"), big());
    if (pods) {
      auto running = running_sidecars(*pods);
      if (!running)
        return running.error();
      if (*running >= s.pods)
        return sim;
    }
    if (Clock::now() > deadline)
      return meshca::cluster_error(
          "meshca-sim: the pods did not all become Running within 5 minutes");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

std::string SimInstance::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

meshca::Result<std::map<std::string, long long>> SimInstance::stats() const {
  auto body = meshca::http_get(url("/simctl/stats"));
  if (!body)
    return body.error();
  auto doc = meshca::json::parse(*body, "/simctl/stats");
  if (!doc)
    return doc.error();
  std::map<std::string, long long> counters;
  for (const auto& member : doc->GetObject())
    if (member.value.IsInt64())
      counters[member.name.GetString()] = member.value.GetInt64();
  return counters;
}

} // namespace bench
