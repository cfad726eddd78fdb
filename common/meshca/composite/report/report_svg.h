#pragma once
// A small writer for the report's inline SVG charts. No script and no style of its own: shapes
// carry CSS classes that the page colours (light and dark), and every attribute value and text is
// escaped here, so a chart can be drawn straight from cluster names.

#include <string>
#include <string_view>

namespace meshca {

enum class SvgAnchor { start, middle, end };

struct SvgBox {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
};

// A number for an attribute: one decimal at most, and 0 for NaN or infinity, so a chart computed
// from empty input still yields valid SVG.
std::string svg_number(double value);

class SvgWriter {
 public:
  // `id` must be unique in the page: the title, description and patterns take ids made from it.
  // `title` and `desc` are the chart's accessible name and its alternative text.
  SvgWriter(std::string id, double width, double height, std::string_view title,
            std::string_view desc);

  // The fill value ("url(#id-p2)") of hatch pattern `index`: eight distinct textures (index 0 is
  // none, an empty value), so a series is told apart by more than its colour. Defined once.
  std::string pattern(int index);

  // A rectangle with CSS class `css_class`; `fill` overrides the class's colour (a pattern) when
  // not empty; `tooltip`, when not empty, becomes its <title>.
  void rect(const SvgBox& box, std::string_view css_class, std::string_view tooltip = {},
            std::string_view fill = {});
  void text(double x, double y, std::string_view content, SvgAnchor anchor = SvgAnchor::start,
            std::string_view css_class = {}, std::string_view tooltip = {});
  void line(double x1, double y1, double x2, double y2, std::string_view css_class);
  void open_group(std::string_view css_class);
  void close_group();

  // The whole <svg> element; groups left open are closed.
  std::string str() const;

 private:
  std::string id_;
  double width_;
  double height_;
  std::string title_;
  std::string desc_;
  std::string defs_;
  std::string body_;
  int open_groups_ = 0;
  unsigned defined_patterns_ = 0; // bit i: pattern i is in defs_
};

} // namespace meshca
