#include "meshca/util/yaml_writer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <regex>

namespace meshca {

namespace {

bool is_reserved_word(std::string_view text) {
  // YAML 1.1 booleans and nulls (kubectl's go-yaml and PyYAML read these), in any case.
  // "<<" is the merge key and "=" the value key of YAML 1.1.
  static constexpr std::array kWords = {"y",     "yes",  "n",    "no", "true", "false",
                                        "on",    "off",  "null", "~",  ".inf", "-.inf",
                                        "+.inf", ".nan", "<<",   "="};
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kWords.begin(), kWords.end(), lower) != kWords.end();
}

bool looks_like_number_or_date(std::string_view text) {
  // Integers, floats, hex/octal/binary, YAML 1.1 sexagesimal (1:20) and timestamps.
  static const std::regex kPattern(R"([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?)"
                                   R"(|[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[oO]?[0-7_]+|[-+]?0[bB][01_]+)"
                                   R"(|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)"
                                   R"(|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?)",
                                   std::regex::optimize);
  return std::regex_match(text.begin(), text.end(), kPattern);
}

bool has_control_char(std::string_view text, std::string_view allowed) {
  return std::any_of(text.begin(), text.end(), [&](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 || byte == 0x7f) && allowed.find(c) == std::string_view::npos;
  });
}

// NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR (line breaks to YAML 1.1) and the byte order mark.
constexpr std::array<std::string_view, 4> kSpecialUnicode = {"\xc2\x85", "\xe2\x80\xa8",
                                                             "\xe2\x80\xa9", "\xef\xbb\xbf"};
constexpr std::array<std::string_view, 4> kSpecialEscapes = {"\\N", "\\L", "\\P", "\\uFEFF"};

bool has_special_unicode(std::string_view text) {
  return std::any_of(kSpecialUnicode.begin(), kSpecialUnicode.end(),
                     [&](std::string_view s) { return text.find(s) != std::string_view::npos; });
}

bool needs_quotes(std::string_view text) {
  if (text.empty() || is_reserved_word(text) || looks_like_number_or_date(text))
    return true;
  // Indicator characters that change the meaning of a plain scalar's first character.
  static constexpr std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@` \t";
  if (kIndicators.find(text.front()) != std::string_view::npos)
    return true;
  if (text.back() == ' ' || text.back() == ':' || text.back() == '\t')
    return true;
  if (text.find(": ") != std::string_view::npos || text.find(" #") != std::string_view::npos ||
      text.find(":\t") != std::string_view::npos || text.find("\t#") != std::string_view::npos)
    return true;
  return has_control_char(text, "") || has_special_unicode(text);
}

std::string indent(std::size_t columns) {
  return std::string(columns, ' ');
}

class YamlWriter {
 public:
  std::string take() { return std::move(out_); }

  // Writes a top-level value.
  void document(const rapidjson::Value& value) {
    if (is_nonempty_collection(value)) {
      collection(value, 0);
    } else {
      scalar(value, 2);
      out_ += '\n';
    }
  }

 private:
  static bool is_nonempty_collection(const rapidjson::Value& v) {
    return (v.IsObject() && v.MemberCount() > 0) || (v.IsArray() && !v.Empty());
  }

  // A non-empty map or list whose first line starts at the current position, at column `col`.
  void collection(const rapidjson::Value& value, std::size_t col) {
    bool first = true;
    if (value.IsObject()) {
      for (const auto& member : value.GetObject()) {
        out_ += first ? "" : indent(col);
        first = false;
        key(std::string_view(member.name.GetString(), member.name.GetStringLength()));
        member_value(member.value, col);
      }
      return;
    }
    for (const auto& item : value.GetArray()) {
      out_ += first ? "- " : indent(col) + "- ";
      first = false;
      if (is_nonempty_collection(item)) {
        collection(item, col + 2);
      } else {
        scalar(item, col + 2);
        out_ += '\n';
      }
    }
  }

  void key(std::string_view name) {
    out_ += scalar_style(name) == ScalarStyle::plain ? std::string(name) : yaml_double_quoted(name);
    out_ += ':';
  }

  // The value after "key:". Lists sit at the key's column, as kubectl prints them.
  void member_value(const rapidjson::Value& value, std::size_t col) {
    if (value.IsObject() && value.MemberCount() > 0) {
      out_ += '\n' + indent(col + 2);
      collection(value, col + 2);
    } else if (value.IsArray() && !value.Empty()) {
      out_ += '\n' + indent(col);
      collection(value, col);
    } else {
      out_ += ' ';
      scalar(value, col + 2);
      out_ += '\n';
    }
  }

  // A scalar or empty collection; a literal block's lines are indented to `content_col`.
  void scalar(const rapidjson::Value& value, std::size_t content_col) {
    if (value.IsNull())
      out_ += "null";
    else if (value.IsBool())
      out_ += value.GetBool() ? "true" : "false";
    else if (value.IsObject())
      out_ += "{}";
    else if (value.IsArray())
      out_ += "[]";
    else if (value.IsNumber())
      number(value);
    else
      string(std::string_view(value.GetString(), value.GetStringLength()), content_col);
  }

  void number(const rapidjson::Value& value) {
    if (value.IsInt64()) {
      out_ += std::to_string(value.GetInt64());
      return;
    }
    if (value.IsUint64()) {
      out_ += std::to_string(value.GetUint64());
      return;
    }
    const double number = value.GetDouble();
    if (std::isnan(number) || std::isinf(number)) {
      out_ += std::isnan(number) ? ".nan" : number > 0 ? ".inf" : "-.inf";
      return;
    }
    std::array<char, 64> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
    std::string text(buffer.data(), result.ptr);
    // Keep a double a float when read back: YAML 1.1 floats need a '.', so 3.0 prints as "3.0"
    // (not the integer "3") and 1e+300 as "1.0e+300".
    if (text.find('.') == std::string::npos) {
      const std::size_t exponent = text.find('e');
      text.insert(exponent == std::string::npos ? text.size() : exponent, ".0");
    }
    out_ += text;
  }

  void string(std::string_view text, std::size_t content_col) {
    switch (scalar_style(text)) {
    case ScalarStyle::plain:
      out_ += text;
      return;
    case ScalarStyle::double_quoted:
      out_ += yaml_double_quoted(text);
      return;
    case ScalarStyle::literal:
      literal(text, content_col);
      return;
    }
  }

  // `|` keeps one final newline, `|-` none, `|+` all of them.
  void literal(std::string_view text, std::size_t content_col) {
    const std::size_t body_end = text.find_last_not_of('\n') + 1;
    const std::size_t trailing = text.size() - body_end;
    out_ += trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+";
    std::string_view body = text.substr(0, body_end);
    while (true) {
      const std::size_t end = body.find('\n');
      const std::string_view line = body.substr(0, end);
      out_ += '\n';
      if (!line.empty())
        out_ += indent(content_col) + std::string(line);
      if (end == std::string_view::npos)
        break;
      body.remove_prefix(end + 1);
    }
    if (trailing > 1)
      out_ += std::string(trailing - 1, '\n');
  }

  std::string out_;
};

} // namespace

ScalarStyle scalar_style(std::string_view text) {
  const std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos)
    return needs_quotes(text) ? ScalarStyle::double_quoted : ScalarStyle::plain;
  // A literal block cannot start with spaces or an empty line (its indentation would be
  // ambiguous) nor hold carriage returns or other control characters.
  if (text.front() == ' ' || text.front() == '\n' || has_control_char(text, "\n\t") ||
      has_special_unicode(text))
    return ScalarStyle::double_quoted;
  return ScalarStyle::literal;
}

std::string yaml_double_quoted(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      const auto special =
          std::find_if(kSpecialUnicode.begin(), kSpecialUnicode.end(),
                       [&](std::string_view s) { return text.substr(i).starts_with(s); });
      if (special != kSpecialUnicode.end()) {
        out += kSpecialEscapes[static_cast<std::size_t>(special - kSpecialUnicode.begin())];
        i += special->size() - 1;
        continue;
      }
    }
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      if (byte < 0x20 || byte == 0x7f) {
        out += "\\x";
        out += kHex[byte >> 4];
        out += kHex[byte & 0xf];
      } else {
        out += c;
      }
    }
  }
  out += '"';
  return out;
}

std::string to_yaml(const rapidjson::Value& value) {
  YamlWriter writer;
  writer.document(value);
  return writer.take();
}

} // namespace meshca
