#include "meshca/composite/report/report_escape.h"

namespace meshca {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    case '\t':
    case '\n':
    case '\r':
      out += c;
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f')
        out += "\xEF\xBF\xBD"; // U+FFFD
      else
        out += c;
    }
  }
  return out;
}

namespace {

bool continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

} // namespace

std::string shorten_text(std::string_view text, std::size_t max_chars) {
  if (max_chars == 0)
    return {};
  std::size_t chars = 0;
  std::size_t cut = text.size(); // byte offset where character number max_chars - 1 starts
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (continuation_byte(text[i]))
      continue;
    if (chars + 1 == max_chars)
      cut = i;
    if (++chars > max_chars)
      return std::string(text.substr(0, cut)) + "\xE2\x80\xA6"; // …
  }
  return std::string(text);
}

} // namespace meshca
