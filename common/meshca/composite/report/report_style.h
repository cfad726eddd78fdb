#pragma once
// The report page's one stylesheet (inline: the page loads nothing): screen and A4 print, light
// and dark through prefers-color-scheme, and the classes the SVG charts draw with.

#include <string_view>

namespace meshca {

std::string_view report_page_style();

} // namespace meshca
