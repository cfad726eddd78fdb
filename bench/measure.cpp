#include "measure.h"

#include "meshca/util/json.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sstream>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<int> children_of(int pid) {
  std::vector<int> out;
  std::ifstream tasks("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                      "/children");
  for (int child = 0; tasks >> child;)
    out.push_back(child);
  return out;
}

long hwm_kb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0)
      return std::atol(line.c_str() + 6);
  return 0;
}

// Samples peak RSS of our child (forked by the main thread) and of its descendants.
class Sampler {
 public:
  Sampler() : thread_([this] { loop(); }) {}
  ~Sampler() {
    stop_ = true;
    thread_.join();
  }
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;
  long self_kb() const { return self_; }
  long descendants_kb() const { return descendants_; }

 private:
  void walk(int pid, int depth) {
    for (const int child : children_of(pid)) {
      const long kb = hwm_kb(child);
      if (depth == 0)
        self_ = std::max<long>(self_, kb);
      else
        descendants_ = std::max<long>(descendants_, kb);
      if (depth < 3)
        walk(child, depth + 1);
    }
  }
  void loop() {
    while (!stop_) {
      walk(::getpid(), 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::atomic<bool> stop_{false};
  std::atomic<long> self_{0};
  std::atomic<long> descendants_{0};
  std::thread thread_;
};

double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

} // namespace

Measurement measure_here(const meshca::ProcessSpec& spec) {
  Measurement m;
  const auto start = Clock::now();
  std::optional<meshca::Result<meshca::ProcessOutput>> output;
  {
    const Sampler sampler;
    output = meshca::run_process(spec);
    m.self_hwm_kb = sampler.self_kb();
    m.descendants_hwm_kb = sampler.descendants_kb();
  }
  m.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  m.cpu_s = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  m.tree_maxrss_kb = usage.ru_maxrss;
  if (!output->ok()) {
    m.err = output->error().message;
    return m;
  }
  m.exit_code = (*output)->exit_code;
  m.out = std::move((*output)->out);
  m.err = (*output)->err.substr(0, 2000);
  return m;
}

std::string to_json(const Measurement& m) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("wall_s");
  w.Double(m.wall_s);
  w.Key("cpu_s");
  w.Double(m.cpu_s);
  w.Key("tree_maxrss_kb");
  w.Int64(m.tree_maxrss_kb);
  w.Key("self_hwm_kb");
  w.Int64(m.self_hwm_kb);
  w.Key("descendants_hwm_kb");
  w.Int64(m.descendants_hwm_kb);
  w.Key("exit_code");
  w.Int(m.exit_code);
  w.Key("out_bytes");
  w.Uint64(m.out.size());
  const auto last_line =
      m.out.substr(m.out.rfind('\n', m.out.size() >= 2 ? m.out.size() - 2 : 0) + 1);
  w.Key("out_tail");
  w.String(last_line.c_str());
  w.Key("err");
  w.String(m.err.c_str());
  w.EndObject();
  return buffer.GetString();
}

meshca::Result<Measurement> from_json(const std::string& text) {
  auto doc = meshca::json::parse(text, "measurement");
  if (!doc)
    return doc.error();
  Measurement m;
  auto& d = *doc;
  if (!d.IsObject() || !d.HasMember("wall_s"))
    return meshca::cluster_error("measurement: unexpected answer: " + text.substr(0, 300));
  m.wall_s = d["wall_s"].GetDouble();
  m.cpu_s = d["cpu_s"].GetDouble();
  m.tree_maxrss_kb = d["tree_maxrss_kb"].GetInt64();
  m.self_hwm_kb = d["self_hwm_kb"].GetInt64();
  m.descendants_hwm_kb = d["descendants_hwm_kb"].GetInt64();
  m.exit_code = d["exit_code"].GetInt();
  m.out = d["out_tail"].GetString();
  m.err = d["err"].GetString();
  return m;
}

meshca::Result<Measurement> measure(const std::string& self, const meshca::ProcessSpec& spec) {
  meshca::ProcessSpec outer;
  outer.program = self;
  outer.args = {"measure"};
  for (const auto& [name, value] : spec.extra_env)
    outer.args.insert(outer.args.end(), {"--env", name + "=" + value});
  outer.args.push_back("--");
  outer.args.push_back(spec.program);
  outer.args.insert(outer.args.end(), spec.args.begin(), spec.args.end());
  auto output = meshca::run_process(outer);
  if (!output)
    return output.error();
  if (!output->succeeded())
    return meshca::cluster_error("measuring " + spec.program + " failed: " + output->err);
  return from_json(output->out);
}

int measure_main(const std::vector<std::string>& args) {
  meshca::ProcessSpec spec;
  std::size_t i = 0;
  for (; i < args.size() && args[i] != "--"; ++i) {
    if (args[i] == "--env" && i + 1 < args.size()) {
      const std::string& pair = args[++i];
      const auto eq = pair.find('=');
      spec.extra_env.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    }
  }
  if (i + 1 >= args.size()) {
    std::cerr << "usage: meshca-bench measure [--env K=V]... -- PROGRAM [ARGS...]\n";
    return 2;
  }
  spec.program = args[i + 1];
  spec.args.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 2, args.end());
  std::cout << to_json(measure_here(spec)) << "\n";
  return 0;
}

} // namespace bench
