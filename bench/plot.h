#pragma once
// The benchmark's picture: wall time and peak memory of each run against the number of sidecars,
// as one standalone SVG (docs/performance.md shows the one a run wrote).

#include "report.h"

#include <string>
#include <vector>

namespace bench {

// Two panels side by side, wall seconds and check-root's own peak RSS in MB, one line per run
// label (the labels of the first report, in its order), the 64 MB bound drawn on the memory
// panel. `caption` says how and when it was measured.
std::string plot_svg(const std::vector<Report>& reports, const std::string& caption);

} // namespace bench
