#pragma once
// The benchmark's figures for one mesh size, and their printout with ratios against the floor
// and the sequential baseline.

#include "measure.h"

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace bench {

struct Run {
  std::string label;
  Measurement m;
  long long execs = 0; // execs the simulator served during the run (/simctl/stats)
  std::string error;
};

struct Sequential {
  int sampled = 0;
  Measurement m;
  std::map<std::string, double> values; // the sequential subcommand's line
  std::string error;
};

struct Report {
  int pods = 0;
  int latency_ms = 0;
  int parallel = 0;
  double sim_start_s = 0;
  double list_s = 0;
  std::size_t list_bytes = 0;
  std::map<std::string, double> rtt;             // exec-bench, 1 in flight
  std::map<std::string, double> throughput;      // 256 in flight, masked dumps
  std::map<std::string, double> throughput_full; // `parallel` in flight, full dumps
  std::vector<Run> runs;
  Sequential sequential;

  // list + pods × round trip / in flight, from the simulator's own timings.
  double floor_s() const;
  // The sequential run extrapolated to every pod: list + pods × (exec time per sampled pod).
  double sequential_wall_s() const;
  double sequential_cpu_s() const;
  bool ok() const;
  // The `check-root --trust-domain` run, when it succeeded.
  const Run* trust_domain_run() const;
};

// This figures of one report: the roots check (its first run) and --trust-domain.
struct TrustDomainFigures {
  const Run* trust = nullptr; // null when --trust-domain did not run or failed
  double ratio = 0;           // --trust-domain wall / roots wall
  double roots_mb = 0, trust_mb = 0;
  double roots_cpu_ms = 0; // per pod, with the kubectl proxy
  bool met() const {
    return trust != nullptr && ratio <= 1.5 && roots_mb < 64 && trust_mb < 64 && roots_cpu_ms < 2;
  }
};
TrustDomainFigures trust_domain_figures(const Report& report);

void print_report(const Report& report, std::ostream& out);

// One line per N (wall, ratio, memory, CPU of the roots-only and --trust-domain runs) and whether
// every target held at every N.
void print_summary(const std::vector<Report>& reports, std::ostream& out);

} // namespace bench
