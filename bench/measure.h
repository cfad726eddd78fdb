#pragma once
// Measuring one command: wall time, CPU time (user + sys of the command and every descendant it
// waited for, from getrusage(RUSAGE_CHILDREN)) and memory (max RSS).
//
// Each measurement runs in a fresh `meshca-bench measure` process, so RUSAGE_CHILDREN holds only
// that command's tree: its ru_maxrss is the largest single process in the tree (which may be the
// kubectl proxy rather than check-root). To tell them apart, a sampler also reads the peak RSS
// (VmHWM) of the command itself and of its descendants from /proc every 10 ms.

#include "meshca/util/process.h"
#include "meshca/util/result.h"

#include <string>
#include <vector>

namespace bench {

struct Measurement {
  double wall_s = 0;
  double cpu_s = 0;            // user + sys, the command and its descendants
  long tree_maxrss_kb = 0;     // RUSAGE_CHILDREN ru_maxrss: the largest process of the tree
  long self_hwm_kb = 0;        // the command's own peak RSS (sampled)
  long descendants_hwm_kb = 0; // the largest descendant's peak RSS (sampled)
  int exit_code = -1;
  std::string out; // the command's stdout (its last line for the sequential run)
  std::string err; // its stderr, shortened
};

// Inside the measuring process: runs `spec` and measures it.
Measurement measure_here(const meshca::ProcessSpec& spec);

// The measurement as one JSON line, and back.
std::string to_json(const Measurement& m);
meshca::Result<Measurement> from_json(const std::string& text);

// From the driver: runs `self measure [--env K=V]... -- PROGRAM ARGS...` and reads its answer.
meshca::Result<Measurement> measure(const std::string& self, const meshca::ProcessSpec& spec);

// `meshca-bench measure ...`: the subcommand's main.
int measure_main(const std::vector<std::string>& args);

} // namespace bench
