#include "plot.h"

#include "meshca/composite/report/report_escape.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>
#include <utility>
#include <vector>

namespace bench {
namespace {

constexpr double kPanelWidth = 420;
constexpr double kPanelHeight = 300;
constexpr double kLeft = 56, kRight = 16, kTop = 40, kBottom = 44;
constexpr double kMemoryBoundMb = 64;
// Colour and dash per line, so the lines are told apart without colour too.
constexpr const char* kColours[] = {"#1f77b4", "#d95f02", "#1b9e77", "#7570b3", "#e7298a"};
constexpr const char* kDashes[] = {"", "6 3", "2 3", "8 3 2 3", "1 2"};

std::string num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", std::isfinite(value) ? value : 0.0);
  return buffer;
}

// A round axis maximum above `value`: 1, 2 or 5 times a power of ten.
double nice_ceiling(double value) {
  if (!(value > 0))
    return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
  for (const double step : {1.0, 2.0, 5.0, 10.0})
    if (step * magnitude >= value)
      return step * magnitude;
  return 10 * magnitude;
}

struct Panel {
  double x0; // left edge of the panel in the picture
  std::string title;
  std::string unit;
  std::function<double(const Run&)> value;
  double bound = 0; // a dashed horizontal line with its label, when > 0
};

void draw_panel(std::ostringstream& svg, const Panel& panel, const std::vector<Report>& reports,
                const std::vector<std::string>& labels) {
  double max_x = 0, max_y = panel.bound * 1.1;
  for (const Report& report : reports) {
    max_x = std::max(max_x, static_cast<double>(report.pods));
    for (const Run& run : report.runs)
      if (run.error.empty())
        max_y = std::max(max_y, panel.value(run));
  }
  max_x = nice_ceiling(max_x);
  max_y = nice_ceiling(max_y);
  const double left = panel.x0 + kLeft, right = panel.x0 + kPanelWidth - kRight;
  const double top = kTop, bottom = kPanelHeight - kBottom;
  const auto px = [&](double x) { return left + (right - left) * x / max_x; };
  const auto py = [&](double y) { return bottom - (bottom - top) * y / max_y; };

  svg << "<text x=\"" << num((left + right) / 2) << "\" y=\"24\" text-anchor=\"middle\" "
      << "font-weight=\"bold\">" << meshca::html_escape(panel.title) << "</text>\n";
  for (int tick = 0; tick <= 4; ++tick) {
    const double y = max_y * tick / 4, x = max_x * tick / 4;
    svg << "<line x1=\"" << num(left) << "\" y1=\"" << num(py(y)) << "\" x2=\"" << num(right)
        << "\" y2=\"" << num(py(y)) << "\" stroke=\"#ddd\"/>\n";
    svg << "<text x=\"" << num(left - 6) << "\" y=\"" << num(py(y) + 4) << "\" text-anchor=\"end\">"
        << num(y) << "</text>\n";
    svg << "<text x=\"" << num(px(x)) << "\" y=\"" << num(bottom + 16)
        << "\" text-anchor=\"middle\">" << static_cast<long>(x) << "</text>\n";
  }
  svg << "<text x=\"" << num((left + right) / 2) << "\" y=\"" << num(bottom + 34)
      << "\" text-anchor=\"middle\">sidecars (N)</text>\n";
  svg << "<text transform=\"translate(" << num(panel.x0 + 14) << " " << num((top + bottom) / 2)
      << ") rotate(-90)\" text-anchor=\"middle\">" << meshca::html_escape(panel.unit)
      << "</text>\n";
  svg << "<path d=\"M" << num(left) << " " << num(top) << "V" << num(bottom) << "H" << num(right)
      << "\" fill=\"none\" stroke=\"#333\"/>\n";
  if (panel.bound > 0) {
    svg << "<line x1=\"" << num(left) << "\" y1=\"" << num(py(panel.bound)) << "\" x2=\""
        << num(right) << "\" y2=\"" << num(py(panel.bound))
        << "\" stroke=\"#c00\" stroke-dasharray=\"4 4\"/>\n";
    svg << "<text x=\"" << num(right) << "\" y=\"" << num(py(panel.bound) - 5)
        << "\" text-anchor=\"end\" fill=\"#c00\">bound " << num(panel.bound) << "</text>\n";
  }
  for (std::size_t line = 0; line < labels.size(); ++line) {
    const char* colour = kColours[line % std::size(kColours)];
    std::string points;
    std::vector<std::pair<double, double>> at;
    std::vector<std::string> titles;
    for (const Report& report : reports) {
      for (const Run& run : report.runs) {
        if (run.label != labels[line] || !run.error.empty())
          continue;
        const double x = px(report.pods), y = py(panel.value(run));
        points += (points.empty() ? "" : " ") + num(x) + "," + num(y);
        at.emplace_back(x, y);
        titles.push_back(meshca::html_escape(labels[line]) +
                         ", N = " + std::to_string(report.pods) + ": " + num(panel.value(run)) +
                         " " + meshca::html_escape(panel.unit));
      }
    }
    // A run measured at one N only (the exec transport) has no line to see: a larger ringed
    // marker with its label stands for it.
    const bool single = at.size() == 1;
    std::string marks;
    for (std::size_t i = 0; i < at.size(); ++i) {
      marks += "<circle cx=\"" + num(at[i].first) + "\" cy=\"" + num(at[i].second) + "\" r=\"" +
               (single ? "6\" stroke=\"#333\" stroke-width=\"1.5" : "3") + "\" fill=\"" + colour +
               "\"><title>" + titles[i] + "</title></circle>\n";
      if (single)
        marks += "<text x=\"" + num(at[i].first + 10) + "\" y=\"" + num(at[i].second + 4) +
                 "\" fill=\"" + colour + "\">" + meshca::html_escape(labels[line]) + "</text>\n";
    }
    svg << "<polyline points=\"" << points << "\" fill=\"none\" stroke=\"" << colour
        << "\" stroke-width=\"2\"";
    if (*kDashes[line % std::size(kDashes)] != '\0')
      svg << " stroke-dasharray=\"" << kDashes[line % std::size(kDashes)] << "\"";
    svg << "/>\n" << marks;
  }
}

} // namespace

std::string plot_svg(const std::vector<Report>& reports, const std::string& caption) {
  std::vector<std::string> labels;
  if (!reports.empty())
    for (const Run& run : reports.front().runs)
      labels.push_back(run.label);
  const double legend_height = 20.0 * static_cast<double>(labels.size()) + 30;
  const double width = 2 * kPanelWidth, height = kPanelHeight + legend_height;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width) << "\" height=\""
      << num(height) << "\" viewBox=\"0 0 " << num(width) << " " << num(height)
      << "\" role=\"img\" aria-labelledby=\"title\" font-family=\"DejaVu Sans, sans-serif\" "
      << "font-size=\"12\">\n<title id=\"title\">Wall time and peak memory against the number "
      << "of sidecars</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  draw_panel(svg, {0, "Wall time", "seconds", [](const Run& run) { return run.m.wall_s; }, 0},
             reports, labels);
  draw_panel(svg,
             {kPanelWidth, "Peak memory of the command", "MB (VmHWM)",
              [](const Run& run) { return static_cast<double>(run.m.self_hwm_kb) / 1024.0; },
              kMemoryBoundMb},
             reports, labels);
  double y = kPanelHeight + 8;
  for (std::size_t line = 0; line < labels.size(); ++line, y += 20) {
    const char* colour = kColours[line % std::size(kColours)];
    svg << "<line x1=\"" << num(kLeft) << "\" y1=\"" << num(y) << "\" x2=\"" << num(kLeft + 30)
        << "\" y2=\"" << num(y) << "\" stroke=\"" << colour << "\" stroke-width=\"2\"";
    if (*kDashes[line % std::size(kDashes)] != '\0')
      svg << " stroke-dasharray=\"" << kDashes[line % std::size(kDashes)] << "\"";
    svg << "/>\n<text x=\"" << num(kLeft + 38) << "\" y=\"" << num(y + 4) << "\">"
        << meshca::html_escape(labels[line]) << "</text>\n";
  }
  svg << "<text x=\"" << num(kLeft) << "\" y=\"" << num(y + 10) << "\" fill=\"#555\">"
      << meshca::html_escape(caption) << "</text>\n</svg>\n";
  return svg.str();
}

} // namespace bench
