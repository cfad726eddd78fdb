#pragma once
// The closed set of -o/--output values; each command allows a subset.

#include "meshca/util/result.h"

#include <initializer_list>
#include <string_view>

namespace meshca {

enum class OutputFormat { text, wide, json, yaml, name, html };

// The flag spelling: "text", "wide", "json", "yaml", "name", "html".
std::string_view to_string(OutputFormat format);

// Parses an -o value. An empty value means text (when text is allowed). A value outside
// `allowed` is bad_input listing the valid ones: `unknown output format "xml"; valid: text, json`.
Result<OutputFormat> parse_output_format(std::string_view value,
                                         std::initializer_list<OutputFormat> allowed);

} // namespace meshca
