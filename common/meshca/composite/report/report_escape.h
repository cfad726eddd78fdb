#pragma once
// Text from the cluster made safe for the report page: every string the model holds may be
// hostile (a namespace named `"><script>`), so the HTML and the SVG writer both pass it through
// here before it reaches the output.

#include <cstddef>
#include <string>
#include <string_view>

namespace meshca {

// `text` with & < > " ' replaced by character references, safe both as element content and as a
// quoted attribute value. Control characters other than tab, newline and carriage return (which
// HTML forbids) become U+FFFD. Bytes are otherwise copied: valid UTF-8 stays valid.
std::string html_escape(std::string_view text);

// `text` cut to at most `max_chars` characters (UTF-8 code points, never inside one), the last
// being "…" when it was cut. Not escaped.
std::string shorten_text(std::string_view text, std::size_t max_chars);

} // namespace meshca
