#include "meshca/composite/report/report_svg.h"

#include "meshca/composite/report/report_escape.h"

#include <cmath>
#include <utility>

namespace meshca {

std::string svg_number(double value) {
  if (!std::isfinite(value))
    value = 0;
  const long long tenths = std::llround(std::fmax(-1e12, std::fmin(1e12, value)) * 10);
  const long long whole = tenths / 10;
  const long long fraction = tenths % 10;
  std::string out = tenths < 0 && whole == 0 ? "-0" : std::to_string(whole);
  if (fraction != 0)
    out += "." + std::to_string(fraction < 0 ? -fraction : fraction);
  return out;
}

namespace {

std::string attribute(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + html_escape(value) + "\"";
}

std::string number_attribute(std::string_view name, double value) {
  return attribute(name, svg_number(value));
}

// The strokes of each texture in a 8×8 tile; index 0 is a plain fill.
constexpr std::string_view pattern_paths[] = {
    "",
    "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4", // diagonal
    "M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4",    // the other diagonal
    "M0,2 h8 M0,6 h8",                    // horizontal
    "M2,0 v8 M6,0 v8",                    // vertical
    "M0,4 h8 M4,0 v8",                    // grid
    "M0,0 l8,8 M8,0 l-8,8",               // cross
    "M1.5,2 h1 M5.5,6 h1",                // dots
};
constexpr int pattern_count = sizeof(pattern_paths) / sizeof(pattern_paths[0]);

} // namespace

SvgWriter::SvgWriter(std::string id, double width, double height, std::string_view title,
                     std::string_view desc)
    : id_(std::move(id)), width_(width), height_(height), title_(title), desc_(desc) {}

std::string SvgWriter::pattern(int index) {
  index = ((index % pattern_count) + pattern_count) % pattern_count;
  if (index == 0)
    return {};
  const std::string pattern_id = id_ + "-p" + std::to_string(index);
  if ((defined_patterns_ & (1U << index)) == 0) {
    defined_patterns_ |= 1U << index;
    defs_ += "<pattern" + attribute("id", pattern_id) +
             R"( width="8" height="8" patternUnits="userSpaceOnUse"><path class="hatch")" +
             attribute("d", pattern_paths[index]) + "/></pattern>";
  }
  return "url(#" + pattern_id + ")";
}

void SvgWriter::rect(const SvgBox& box, std::string_view css_class, std::string_view tooltip,
                     std::string_view fill) {
  body_ += "<rect" + number_attribute("x", box.x) + number_attribute("y", box.y) +
           number_attribute("width", std::fmax(0, box.width)) +
           number_attribute("height", std::fmax(0, box.height));
  if (!css_class.empty())
    body_ += attribute("class", css_class);
  if (!fill.empty())
    body_ += attribute("fill", fill);
  if (tooltip.empty())
    body_ += "/>";
  else
    body_ += "><title>" + html_escape(tooltip) + "</title></rect>";
}

void SvgWriter::text(double x, double y, std::string_view content, SvgAnchor anchor,
                     std::string_view css_class, std::string_view tooltip) {
  body_ += "<text" + number_attribute("x", x) + number_attribute("y", y);
  if (anchor == SvgAnchor::middle)
    body_ += R"( text-anchor="middle")";
  else if (anchor == SvgAnchor::end)
    body_ += R"( text-anchor="end")";
  if (!css_class.empty())
    body_ += attribute("class", css_class);
  body_ += ">";
  if (!tooltip.empty())
    body_ += "<title>" + html_escape(tooltip) + "</title>";
  body_ += html_escape(content) + "</text>";
}

void SvgWriter::line(double x1, double y1, double x2, double y2, std::string_view css_class) {
  body_ += "<line" + number_attribute("x1", x1) + number_attribute("y1", y1) +
           number_attribute("x2", x2) + number_attribute("y2", y2) + attribute("class", css_class) +
           "/>";
}

void SvgWriter::open_group(std::string_view css_class) {
  body_ += "<g" + attribute("class", css_class) + ">";
  ++open_groups_;
}

void SvgWriter::close_group() {
  if (open_groups_ == 0)
    return;
  body_ += "</g>";
  --open_groups_;
}

std::string SvgWriter::str() const {
  const std::string title_id = id_ + "-title";
  const std::string desc_id = id_ + "-desc";
  // No xmlns: the HTML parser puts <svg> in the SVG namespace by itself.
  std::string out = "<svg" + attribute("id", id_) + number_attribute("width", width_) +
                    number_attribute("height", height_) +
                    attribute("viewBox", "0 0 " + svg_number(width_) + " " + svg_number(height_)) +
                    R"( role="img")" + attribute("aria-labelledby", title_id + " " + desc_id) +
                    R"( class="chart">)";
  out += "<title" + attribute("id", title_id) + ">" + html_escape(title_) + "</title>";
  out += "<desc" + attribute("id", desc_id) + ">" + html_escape(desc_) + "</desc>";
  if (!defs_.empty())
    out += "<defs>" + defs_ + "</defs>";
  out += body_;
  for (int i = 0; i < open_groups_; ++i)
    out += "</g>";
  return out + "</svg>";
}

} // namespace meshca
