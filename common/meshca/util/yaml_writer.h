#pragma once
// JSON values as YAML text in kubectl's -o yaml layout: block maps indented by two, list items
// ("- ") at the indentation of their key, {} and [] for empty collections.

#include <rapidjson/document.h>
#include <string>
#include <string_view>

namespace meshca {

// The YAML text of `value`, ending with a newline. A string that YAML 1.1 or 1.2 would read as
// something else (true, null, 012, 1e3, 2024-01-01, "a: b", "#x", "- x", " padded") is
// double-quoted; a multi-line string is a literal block (`|`, `|-` or `|+`).
std::string to_yaml(const rapidjson::Value& value);

// How a string is written as a scalar: plain, double-quoted, or (multi-line) a literal block.
// Exposed for tests.
enum class ScalarStyle { plain, double_quoted, literal };
ScalarStyle scalar_style(std::string_view text);

// `text` as a YAML double-quoted scalar, quotes included.
std::string yaml_double_quoted(std::string_view text);

} // namespace meshca
