#include "report.h"

#include <cstdio>
#include <ostream>

namespace bench {
namespace {

double get(const std::map<std::string, double>& values, const std::string& key) {
  auto it = values.find(key);
  return it == values.end() ? 0.0 : it->second;
}

std::string fmt(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string verdict(bool met) {
  return met ? "met" : "MISSED";
}

} // namespace

double Report::floor_s() const {
  return list_s + pods * (get(rtt, "p50_ms") / 1000.0) / parallel;
}

double Report::sequential_wall_s() const {
  const double per_pod = get(sequential.values, "execs_wall_s") / std::max(1, sequential.sampled);
  return get(sequential.values, "list_wall_s") + pods * per_pod;
}

double Report::sequential_cpu_s() const {
  const double per_pod = get(sequential.values, "execs_cpu_s") / std::max(1, sequential.sampled);
  return get(sequential.values, "list_cpu_s") + pods * per_pod;
}

const Run* Report::trust_domain_run() const {
  for (const Run& run : runs)
    if (run.label.find("--trust-domain") != std::string::npos && run.error.empty())
      return &run;
  return nullptr;
}

TrustDomainFigures trust_domain_figures(const Report& report) {
  TrustDomainFigures f;
  if (report.runs.empty())
    return f;
  const Run& roots = report.runs.front();
  f.trust = report.trust_domain_run();
  f.roots_mb = static_cast<double>(roots.m.self_hwm_kb) / 1024.0;
  f.roots_cpu_ms = roots.m.cpu_s * 1000.0 / report.pods;
  if (f.trust != nullptr) {
    f.ratio = f.trust->m.wall_s / roots.m.wall_s;
    f.trust_mb = static_cast<double>(f.trust->m.self_hwm_kb) / 1024.0;
  }
  return f;
}

bool Report::ok() const {
  for (const Run& run : runs)
    if (!run.error.empty())
      return false;
  return sequential.error.empty();
}

void print_report(const Report& r, std::ostream& out) {
  const double floor = r.floor_s();
  out << "\n== N = " << r.pods << " sidecars over 20 namespaces, exec latency " << r.latency_ms
      << " ms, --parallel " << r.parallel << " ==\n";
  out << "simulator: ready in " << fmt("%.1f", r.sim_start_s) << " s; one unpaginated pod list "
      << fmt("%.3f", r.list_s) << " s (" << fmt("%.1f", static_cast<double>(r.list_bytes) / 1e6)
      << " MB); exec round trip p50 " << fmt("%.1f", get(r.rtt, "p50_ms")) << " ms, p99 "
      << fmt("%.1f", get(r.rtt, "p99_ms")) << " ms\n";
  const double ideal = 256.0 * 1000.0 / std::max(1, r.latency_ms);
  out << "simulator exec throughput: " << fmt("%.0f", get(r.throughput, "execs_per_s"))
      << " execs/s with 256 in flight (ideal " << fmt("%.0f", ideal) << "/s; "
      << fmt("%.0f", get(r.throughput, "failures")) << " failures); full ~1 MB dumps, "
      << r.parallel << " in flight: " << fmt("%.0f", get(r.throughput_full, "execs_per_s"))
      << " execs/s, "
      << fmt("%.0f", get(r.throughput_full, "stdout_bytes") /
                         std::max(1e-9, get(r.throughput_full, "seconds")) / 1e6)
      << " MB/s, p50 " << fmt("%.1f", get(r.throughput_full, "p50_ms")) << " ms\n";
  out << "check-root needs " << fmt("%.0f", r.parallel * 1000.0 / std::max(1, r.latency_ms))
      << " execs/s at --parallel " << r.parallel << "\n";
  out << "floor = list + N x round trip / in flight = " << fmt("%.3f", r.list_s) << " + " << r.pods
      << " x " << fmt("%.1f", get(r.rtt, "p50_ms")) << " ms / " << r.parallel << " = "
      << fmt("%.2f", floor) << " s\n\n";
  out << "run                                               wall s  x floor   CPU s  CPU ms/pod  "
         "self MB  child MB  execs\n";
  for (const Run& run : r.runs) {
    char line[256];
    std::snprintf(line, sizeof line, "%-48s %7.2f %8.2f %7.2f %11.2f %8.1f %9.1f %6lld",
                  run.label.c_str(), run.m.wall_s, run.m.wall_s / floor, run.m.cpu_s,
                  run.m.cpu_s * 1000.0 / r.pods, static_cast<double>(run.m.self_hwm_kb) / 1024.0,
                  static_cast<double>(run.m.descendants_hwm_kb) / 1024.0, run.execs);
    out << line << (run.error.empty() ? "" : "  ERROR " + run.error) << "\n";
  }
  const auto& s = r.sequential;
  char line[256];
  std::snprintf(
      line, sizeof line, "%-48s %7.2f %8.2f %7.2f %11.2f %8.1f %9.1f %6d",
      ("sequential kubectl exec, " + std::to_string(s.sampled) + " pods measured").c_str(),
      s.m.wall_s, s.m.wall_s / floor, s.m.cpu_s, s.m.cpu_s * 1000.0 / std::max(1, s.sampled),
      static_cast<double>(s.m.self_hwm_kb) / 1024.0,
      static_cast<double>(s.m.descendants_hwm_kb) / 1024.0, s.sampled);
  out << line << (s.error.empty() ? "" : "  ERROR " + s.error) << "\n";
  std::snprintf(line, sizeof line, "%-48s %7.1f %8.1f %7.1f %11.2f",
                "  ... extrapolated to every pod", r.sequential_wall_s(),
                r.sequential_wall_s() / floor, r.sequential_cpu_s(),
                r.sequential_cpu_s() * 1000.0 / r.pods);
  out << line << "\n";
  out << "(self MB = the command's own peak RSS; child MB = its largest child's: the kubectl "
         "proxy, "
         "or kubectl processes)\n\n";
  if (r.runs.empty())
    return;
  const Run& proxy = r.runs.front();
  const double speedup = r.sequential_wall_s() / proxy.m.wall_s;
  const double cpu_ms = proxy.m.cpu_s * 1000.0 / r.pods;
  out << "targets (" << proxy.label << "):\n";
  out << "  wall within 1.5x of the floor: " << fmt("%.2f", proxy.m.wall_s / floor) << "x  "
      << verdict(proxy.m.wall_s <= 1.5 * floor) << "\n";
  out << "  >= 40x faster than sequential: " << fmt("%.1f", speedup) << "x  "
      << verdict(speedup >= 40) << "\n";
  out << "  CPU < 2 ms/pod (check-root and its kubectl proxy): " << fmt("%.2f", cpu_ms)
      << " ms/pod  " << verdict(cpu_ms < 2) << "\n";
  const double self_mb = static_cast<double>(proxy.m.self_hwm_kb) / 1024.0;
  const double tree_mb = static_cast<double>(proxy.m.tree_maxrss_kb) / 1024.0;
  out << "  peak memory < 64 MB: check-root " << fmt("%.1f", self_mb) << " MB "
      << verdict(self_mb < 64)
      << "; largest process of the tree (getrusage RUSAGE_CHILDREN ru_maxrss) "
      << fmt("%.1f", tree_mb) << " MB " << verdict(tree_mb < 64) << "\n";
  if (const TrustDomainFigures f = trust_domain_figures(r); f.trust != nullptr) {
    out << "  --trust-domain wall within 1.5x of the roots-only check: " << fmt("%.2f", f.ratio)
        << "x  " << verdict(f.ratio <= 1.5) << "\n";
    out << "  --trust-domain peak memory < 64 MB: check-root " << fmt("%.1f", f.trust_mb) << " MB "
        << verdict(f.trust_mb < 64) << "\n";
  }
  for (const Run& run : r.runs)
    if (run.label.rfind("traffic", 0) == 0)
      out << "  traffic within 2x of check-root's wall: "
          << fmt("%.2f", run.m.wall_s / proxy.m.wall_s) << "x  "
          << verdict(run.m.wall_s <= 2 * proxy.m.wall_s) << "\n";
  for (const Run& run : r.runs)
    if (run.label.rfind("status", 0) == 0) {
      const double mb = static_cast<double>(run.m.self_hwm_kb) / 1024.0;
      out << "  status peak memory < 64 MB: " << fmt("%.1f", mb) << " MB " << verdict(mb < 64)
          << "\n";
    }
  for (std::size_t i = 1; i < r.runs.size(); ++i)
    out << "  " << r.runs[i].label << " / proxy: wall "
        << fmt("%.2f", r.runs[i].m.wall_s / proxy.m.wall_s) << "x, CPU "
        << fmt("%.2f", r.runs[i].m.cpu_s / std::max(1e-9, proxy.m.cpu_s)) << "x\n";
}

void print_summary(const std::vector<Report>& reports, std::ostream& out) {
  if (reports.empty())
    return;
  out << "== summary: check-root -A (proxy) against N ==\n";
  out << "      N  roots s  trust-domain s  ratio  roots MB  trust-domain MB  roots CPU ms/pod\n";
  bool all_met = true;
  for (const Report& r : reports) {
    if (r.runs.empty())
      continue;
    const TrustDomainFigures f = trust_domain_figures(r);
    char line[200];
    std::snprintf(line, sizeof line, "%7d %8.2f %15.2f %6.2f %9.1f %16.1f %17.2f", r.pods,
                  r.runs.front().m.wall_s, f.trust != nullptr ? f.trust->m.wall_s : 0.0, f.ratio,
                  f.roots_mb, f.trust_mb, f.roots_cpu_ms);
    out << line << "\n";
    all_met = all_met && r.runs.front().error.empty() && f.met();
  }
  out << "targets at every N (--trust-domain within 1.5x of roots-only, both under 64 MB, roots "
         "under 2 ms CPU per pod): "
      << verdict(all_met) << "\n";
}

} // namespace bench
