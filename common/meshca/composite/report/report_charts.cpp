#include "meshca/composite/report/report_charts.h"

#include "meshca/composite/report/report_escape.h"
#include "meshca/composite/report/report_svg.h"
#include "meshca/util/words.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

namespace meshca {

namespace {

constexpr double chart_width = 1000;
constexpr int series_styles = 8; // colours s0..s7 in the page's CSS, and hatch patterns

// A series' colour class and hatch: the first eight differ in both, later ones in the pair.
void series_rect(SvgWriter& svg, const SvgBox& box, std::size_t series, std::string_view tooltip) {
  const int index = static_cast<int>(series % 1024);
  svg.rect(box, "s" + std::to_string(index % series_styles), tooltip);
  const std::string hatch = svg.pattern((index + index / series_styles) % series_styles);
  if (!hatch.empty())
    svg.rect(box, "overlay", {}, hatch);
}

struct Series {
  std::string label;
  std::size_t total = 0;
};

// The namespace's segments: its counts, then "not read" for pods no count covers.
std::vector<ReportCount> segments_of(const ReportNamespace& ns, BarSplit split) {
  std::vector<ReportCount> segments = split == BarSplit::trust_set ? ns.trust_sets : ns.issuers;
  std::size_t covered = 0;
  for (const ReportCount& segment : segments)
    covered += segment.count;
  if (ns.pods > covered)
    segments.push_back({"not read", ns.pods - covered});
  return segments;
}

// About 34 characters fit left of the bars; the context gives way first ("gke_pro…/payments").
std::string bar_label(const ReportNamespace& ns, bool several_clusters) {
  const std::string name = shorten_text(ns.name, several_clusters ? 26 : 34);
  if (!several_clusters)
    return name;
  const std::size_t used = name.size() + 1; // bytes: at least the characters
  return shorten_text(ns.context, used < 28 ? 34 - used : 6) + "/" + name;
}

// Every label of every namespace with its pods in all of them, largest first.
std::vector<Series> series_of(const std::vector<ReportNamespace>& namespaces, BarSplit split) {
  std::vector<Series> series;
  for (const ReportNamespace& ns : namespaces)
    for (const ReportCount& segment : segments_of(ns, split)) {
      auto it = std::find_if(series.begin(), series.end(),
                             [&](const Series& s) { return s.label == segment.label; });
      if (it == series.end())
        series.push_back({segment.label, segment.count});
      else
        it->total += segment.count;
    }
  std::stable_sort(series.begin(), series.end(),
                   [](const Series& a, const Series& b) { return a.total > b.total; });
  return series;
}

// The same trust set or issuer has the same colour and hatch in every chart and every report:
// Citadel-only orange, both roots blue, Mesh CA-only green, unread grey; others take the rest.
std::vector<std::size_t> series_styles_of(const std::vector<Series>& series) {
  auto fixed = [](const std::string& label) -> std::optional<std::size_t> {
    if (label == "[CITADEL MESHCA]")
      return 0;
    if (label == "[CITADEL]" || label == "CITADEL")
      return 1;
    if (label == "[MESHCA]" || label == "MESHCA")
      return 2;
    if (label == "not read")
      return 7;
    return std::nullopt;
  };
  std::vector<std::size_t> styles;
  std::size_t next = 3; // after the fixed ones; 7 and beyond wrap into new colour-hatch pairs
  for (const Series& s : series) {
    if (auto style = fixed(s.label)) {
      styles.push_back(*style);
    } else {
      styles.push_back(next == 7 ? ++next : next);
      ++next;
    }
  }
  return styles;
}

} // namespace

std::string namespace_bars_svg(const std::vector<ReportNamespace>& namespaces, BarSplit split,
                               std::string_view id) {
  const std::string_view what = split == BarSplit::trust_set ? "trust set" : "issuer";
  const std::size_t shown = std::min(namespaces.size(), max_chart_rows);
  std::set<std::string> contexts;
  for (const ReportNamespace& ns : namespaces)
    contexts.insert(ns.context);
  const bool several_clusters = contexts.size() > 1;

  const std::vector<Series> series = series_of(namespaces, split);
  const std::vector<std::size_t> styles = series_styles_of(series);
  auto series_style = [&](const std::string& label) {
    const auto at = std::find_if(series.begin(), series.end(),
                                 [&](const Series& s) { return s.label == label; });
    return styles[static_cast<std::size_t>(at - series.begin())];
  };

  constexpr double legend_row = 20, bar_row = 24, bar_height = 16;
  constexpr double label_right = 250, bar_left = 260, bar_width = 620;
  const double legend_top = 8;
  const double bars_top = legend_top + legend_row * static_cast<double>(series.size()) + 12;
  const bool cut = namespaces.size() > shown;
  double height = bars_top + bar_row * static_cast<double>(shown) + 8;
  if (namespaces.empty() || cut)
    height += 24;

  std::string desc =
      plural(namespaces.size(), "namespace") + ", pods per " + std::string(what) + ":";
  for (const Series& s : series)
    desc += " " + s.label + " " + plural(s.total, "pod") + ";";
  if (series.empty())
    desc += " none.";
  SvgWriter svg(std::string(id), chart_width, height,
                "Pods per " + std::string(what) + " in each namespace", desc);

  svg.open_group("legend");
  for (std::size_t k = 0; k < series.size(); ++k) {
    const double y = legend_top + legend_row * static_cast<double>(k);
    const std::string text = series[k].label + " — " + plural(series[k].total, "pod");
    series_rect(svg, {bar_left, y, 14, 14}, styles[k], text);
    svg.text(bar_left + 22, y + 11, shorten_text(text, 90));
  }
  svg.close_group();

  svg.open_group("bars");
  for (std::size_t row = 0; row < shown; ++row) {
    const ReportNamespace& ns = namespaces[row];
    const double y = bars_top + bar_row * static_cast<double>(row);
    const std::string label = several_clusters ? ns.context + "/" + ns.name : ns.name;
    svg.text(label_right, y + 12, bar_label(ns, several_clusters), SvgAnchor::end, {}, label);
    const std::vector<ReportCount> segments = segments_of(ns, split);
    std::size_t total = 0;
    for (const ReportCount& segment : segments)
      total += segment.count;
    svg.rect({bar_left, y, bar_width, bar_height}, "track");
    double x = bar_left;
    for (const ReportCount& segment : segments) {
      if (total == 0 || segment.count == 0)
        continue;
      const double width =
          bar_width * static_cast<double>(segment.count) / static_cast<double>(total);
      series_rect(svg, {x, y, width, bar_height}, series_style(segment.label),
                  label + ": " + segment.label + " — " + plural(segment.count, "pod"));
      const std::string number = std::to_string(segment.count);
      if (width >= 8.0 * static_cast<double>(number.size()) + 8)
        svg.text(x + width / 2, y + 12, number, SvgAnchor::middle, "in-bar");
      x += width;
    }
    svg.text(bar_left + bar_width + 8, y + 12,
             total == 0 ? "no sidecar pod" : plural(total, "pod"));
  }
  svg.close_group();

  const double note_y = bars_top + bar_row * static_cast<double>(shown) + 16;
  if (namespaces.empty())
    svg.text(bar_left, note_y, "No namespace in scope.", SvgAnchor::start, "note");
  else if (cut)
    svg.text(bar_left, note_y,
             "The first " + std::to_string(shown) + " of " + std::to_string(namespaces.size()) +
                 " namespaces are shown; the table below lists them all.",
             SvgAnchor::start, "note");
  return svg.str();
}

namespace {

bool accepts(const ReportMtls& mtls, std::size_t verifier, std::size_t chain) {
  return verifier < mtls.accepts.size() && chain < mtls.accepts[verifier].size() &&
         mtls.accepts[verifier][chain];
}

std::string reason(const ReportMtls& mtls, std::size_t verifier, std::size_t chain) {
  if (verifier < mtls.reasons.size() && chain < mtls.reasons[verifier].size() &&
      !mtls.reasons[verifier][chain].empty())
    return mtls.reasons[verifier][chain];
  return "no reason recorded";
}

struct CellLook {
  std::string css;
  std::string glyph; // `wide`: room for "→ only"
  std::string tooltip;
};

// Row a → column b is accepted when b verifies a's chain; the cell shows both directions.
CellLook look_of(const ReportMtls& mtls, std::size_t i, std::size_t j, const std::string& a,
                 const std::string& b, bool wide) {
  const bool forward = accepts(mtls, j, i);
  const bool backward = accepts(mtls, i, j);
  if (forward && backward)
    return {"cell-ok", "✓", a + " ↔ " + b + ": each accepts the other's chain"};
  if (forward)
    return {"cell-warn", wide ? "→ only" : "→",
            a + " → " + b + " only: " + a + " rejects " + b + "'s chain: " + reason(mtls, i, j)};
  if (backward)
    return {"cell-warn", wide ? "← only" : "←",
            a + " ← " + b + " only: " + b + " rejects " + a + "'s chain: " + reason(mtls, j, i)};
  return {"cell-bad", "✗",
          a + " ✗ " + b + ": " + b + " rejects " + a + "'s chain: " + reason(mtls, j, i) + "; " +
              a + " rejects " + b + "'s chain: " + reason(mtls, i, j)};
}

} // namespace

std::string mtls_heatmap_svg(const ReportMtls& mtls, std::string_view id) {
  const std::size_t n = mtls.groups.size();
  const double cell =
      std::clamp(480.0 / static_cast<double>(std::max<std::size_t>(n, 1)), 28.0, 56.0);
  constexpr double left = 70, top = 56;
  const double grid = cell * static_cast<double>(n);
  const double width = std::max(left + grid + 20, 620.0);
  const double legend_top = top + grid + 24;
  const double height = legend_top + (n == 0 ? 24 : 3 * 20 + 4);

  std::size_t failing = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      failing += accepts(mtls, i, j) ? 0 : 1;
  const std::string desc =
      n == 0 ? "No group of sidecars."
             : plural(n, "group") + " of sidecars; " +
                   (failing == 0 ? std::string("every group accepts every group's chain.")
                                 : plural(failing, "rejected chain") +
                                       " (group verifying another group's certificate chain).");
  SvgWriter svg(std::string(id), width, height, "mTLS can-talk matrix", desc);
  svg.text(left, 16, "Row → column: the row's chain presented to the column.", SvgAnchor::start,
           "note");

  auto name = [&](std::size_t i) {
    return mtls.groups[i].id.empty() ? "G" + std::to_string(i + 1) : mtls.groups[i].id;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const double offset = cell * static_cast<double>(i);
    const std::string label = shorten_text(name(i), 6);
    svg.text(left + offset + cell / 2, top - 8, label, SvgAnchor::middle, "header");
    svg.text(left - 8, top + offset + cell / 2 + 4, label, SvgAnchor::end, "header");
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const CellLook look = look_of(mtls, i, j, name(i), name(j), cell >= 48);
      const double x = left + cell * static_cast<double>(j);
      const double y = top + cell * static_cast<double>(i);
      svg.rect({x, y, cell, cell}, look.css, look.tooltip);
      svg.text(x + cell / 2, y + cell / 2 + 4, look.glyph, SvgAnchor::middle, "glyph");
    }

  if (n == 0) {
    svg.text(left, legend_top, "No group to compare.", SvgAnchor::start, "note");
    return svg.str();
  }
  const struct {
    const char* css;
    const char* glyph;
    const char* text;
  } legend[] = {{"cell-ok", "✓", "both ways: each group accepts the other's chain"},
                {"cell-warn", "→", "one way only: mTLS fails, one side rejects the other's chain"},
                {"cell-bad", "✗", "neither way"}};
  for (std::size_t k = 0; k < 3; ++k) {
    const double y = legend_top + 20 * static_cast<double>(k);
    svg.rect({left, y - 12, 16, 16}, legend[k].css);
    svg.text(left + 8, y + 1, legend[k].glyph, SvgAnchor::middle, "glyph small");
    svg.text(left + 24, y + 1, legend[k].text);
  }
  return svg.str();
}

Expiry expiry_of(const ReportCertificate& certificate, ReportTime now, std::chrono::hours warning) {
  if (certificate.not_after <= now)
    return Expiry::expired;
  if (certificate.renew_by)
    return now >= *certificate.renew_by ? Expiry::soon : Expiry::ok;
  return certificate.not_after - now < warning ? Expiry::soon : Expiry::ok;
}

std::string time_left(ReportTime not_after, ReportTime now) {
  if (not_after <= now)
    return "expired";
  const auto hours = std::chrono::floor<std::chrono::hours>(not_after - now).count();
  if (hours < 48)
    return std::to_string(hours) + " h";
  return std::to_string(days_left(not_after, now)) + " d";
}

long long days_left(ReportTime not_after, ReportTime now) {
  return std::chrono::floor<std::chrono::days>(not_after - now).count();
}

namespace {

// The timeline's scale: days from now through sign(d)·log10(1 + |d|). Workload certificates live
// hours or days and roots ten years; on this scale 1 day, 1 month, 1 year and 10 years all get
// room, today sits at 0 and expired certificates extend to the left.
double log_days(double days) {
  return std::copysign(std::log10(1 + std::fabs(days)), days);
}

double days_between(ReportTime from, ReportTime to) {
  return std::chrono::duration<double, std::ratio<86400>>(to - from).count();
}

// The part of a subject a person recognises: the CN, or the SPIFFE ID without its scheme and
// trust domain.
std::string short_subject(const std::string& subject, std::size_t max_chars) {
  std::string_view text = subject;
  if (const auto cn = text.find("CN="); cn != std::string_view::npos) {
    text = text.substr(cn + 3);
    text = text.substr(0, text.find_first_of(",/+"));
  } else if (text.starts_with("spiffe://")) {
    text = text.substr(9);
    if (const auto slash = text.find('/'); slash != std::string_view::npos)
      text = text.substr(slash + 1);
  }
  return shorten_text(text, max_chars);
}

} // namespace

namespace {

constexpr double label_right = 330;
constexpr double axis_left = 340;
constexpr double axis_width = 450;
constexpr double status_left = 800;
constexpr double timeline_top = 44;
constexpr double timeline_row = 22;

// Where a day count falls on the axis, which spans lo..hi in log_days units.
struct LogScale {
  double lo = 0;
  double hi = 1;
  double x(double days) const { return axis_left + axis_width * (log_days(days) - lo) / (hi - lo); }
};

// The ticks that fall inside the scale, then today and the warning threshold, labelled above.
void draw_axis(SvgWriter& svg, const LogScale& scale, double bottom, std::chrono::hours warning) {
  const struct {
    double days;
    const char* label;
  } ticks[] = {{-3650, "-10y"}, {-365, "-1y"}, {-30, "-30d"},  {-7, "-7d"},
               {-1, "-1d"},     {1, "1d"},     {7, "7d"},      {30, "30d"},
               {365, "1y"},     {3650, "10y"}, {36500, "100y"}};
  svg.open_group("axis");
  svg.line(axis_left, bottom + 2, axis_left + axis_width, bottom + 2, "axis-line");
  for (const auto& tick : ticks) {
    const double x = scale.x(tick.days);
    if (x < axis_left || x > axis_left + axis_width)
      continue;
    svg.line(x, timeline_top - 4, x, bottom + 6, "grid");
    svg.text(x, bottom + 20, tick.label, SvgAnchor::middle, "tick");
  }
  svg.line(scale.x(0), 18, scale.x(0), bottom + 6, "today");
  svg.text(scale.x(0), 14, "today", SvgAnchor::middle, "today-label");
  const double threshold = scale.x(static_cast<double>(warning.count()) / 24);
  svg.line(threshold, 32, threshold, bottom + 6, "threshold");
  svg.text(threshold, 28, "warning: " + std::to_string(warning.count() / 24) + " d",
           SvgAnchor::middle, "threshold-label");
  svg.close_group();
}

// "✗ expired 3 d ago", "⚠ soon: 12 d left" or "3650 d left".
std::string status_of(const ReportCertificate& certificate, ReportTime now,
                      std::chrono::hours warning) {
  switch (expiry_of(certificate, now, warning)) {
  case Expiry::expired: {
    const long long ago =
        std::chrono::floor<std::chrono::days>(now - certificate.not_after).count();
    return ago == 0 ? "✗ expired today" : "✗ expired " + std::to_string(ago) + " d ago";
  }
  case Expiry::soon:
    return (certificate.renew_by ? "⚠ not renewed: " : "⚠ soon: ") +
           time_left(certificate.not_after, now) + " left";
  case Expiry::ok:
    break;
  }
  return time_left(certificate.not_after, now) + " left";
}

// About 48 characters fit left of the axis; the subject gives way first.
std::string row_label(const ReportCertificate& certificate) {
  const std::string kind = shorten_text(certificate.kind, 12);
  const std::string ca = shorten_text(certificate.ca, 10);
  const std::size_t used = kind.size() + ca.size(); // bytes: at least the characters
  return kind + " · " + short_subject(certificate.subject, used < 30 ? 42 - used : 12) +
         (ca.empty() ? "" : " · " + ca);
}

} // namespace

std::string expiry_timeline_svg(const std::vector<ReportCertificate>& certificates, ReportTime now,
                                std::chrono::hours warning, std::string_view id) {
  const std::size_t shown = std::min(certificates.size(), max_chart_rows);
  LogScale scale{0, log_days(static_cast<double>(warning.count()) / 24)};
  std::size_t expired = 0;
  std::size_t soon = 0;
  for (const ReportCertificate& certificate : certificates) {
    const double at = log_days(days_between(now, certificate.not_after));
    scale.lo = std::min(scale.lo, at);
    scale.hi = std::max(scale.hi, at);
    const Expiry state = expiry_of(certificate, now, warning);
    expired += state == Expiry::expired ? 1 : 0;
    soon += state == Expiry::soon ? 1 : 0;
  }
  const double margin = 0.05 * (scale.hi - scale.lo) + 0.1;
  scale.lo -= margin;
  scale.hi += margin;

  const double bottom = timeline_top + timeline_row * static_cast<double>(shown);
  const bool cut = certificates.size() > shown;
  const double height = bottom + 30 + (certificates.empty() || cut ? 24 : 0);
  const std::string desc = plural(certificates.size(), "certificate") + ": " +
                           std::to_string(expired) + " expired, " + std::to_string(soon) +
                           " within the warning threshold of " +
                           std::to_string(warning.count() / 24) + " days. Log time scale.";
  SvgWriter svg(std::string(id), chart_width, height, "Certificate expiry timeline", desc);
  draw_axis(svg, scale, bottom, warning);

  for (std::size_t r = 0; r < shown; ++r) {
    const ReportCertificate& certificate = certificates[r];
    const double y = timeline_top + timeline_row * static_cast<double>(r);
    const Expiry state = expiry_of(certificate, now, warning);
    const std::string label = row_label(certificate);
    const std::string status = status_of(certificate, now, warning);
    svg.text(label_right, y + 13, label, SvgAnchor::end, {}, certificate.subject);
    const double start = scale.x(0);
    const double end = scale.x(days_between(now, certificate.not_after));
    const char* css = state == Expiry::expired ? "bar-bad"
                      : state == Expiry::soon  ? "bar-warn"
                                               : "bar-ok";
    svg.rect({std::min(start, end), y + 3, std::max(std::fabs(end - start), 2.0), 14}, css,
             label + ": " + status);
    svg.text(status_left, y + 13, status, SvgAnchor::start,
             state == Expiry::ok ? "" : "status-text");
  }

  if (certificates.empty())
    svg.text(axis_left, bottom + 44, "No certificate was read.", SvgAnchor::start, "note");
  else if (cut)
    svg.text(axis_left, bottom + 44,
             "The first " + std::to_string(shown) + " of " + std::to_string(certificates.size()) +
                 " certificates are shown; the table below lists them all.",
             SvgAnchor::start, "note");
  return svg.str();
}

} // namespace meshca
