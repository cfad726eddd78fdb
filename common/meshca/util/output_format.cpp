#include "meshca/util/output_format.h"

#include <algorithm>
#include <array>
#include <string>

namespace meshca {

namespace {
constexpr std::array kAllFormats = {OutputFormat::text, OutputFormat::wide, OutputFormat::json,
                                    OutputFormat::yaml, OutputFormat::name, OutputFormat::html};
} // namespace

std::string_view to_string(OutputFormat format) {
  switch (format) {
  case OutputFormat::text:
    return "text";
  case OutputFormat::wide:
    return "wide";
  case OutputFormat::json:
    return "json";
  case OutputFormat::yaml:
    return "yaml";
  case OutputFormat::name:
    return "name";
  case OutputFormat::html:
    return "html";
  }
  return "text";
}

Result<OutputFormat> parse_output_format(std::string_view value,
                                         std::initializer_list<OutputFormat> allowed) {
  const std::string_view wanted = value.empty() ? std::string_view("text") : value;
  for (const OutputFormat format : allowed) {
    if (to_string(format) == wanted)
      return format;
  }
  std::string valid;
  for (const OutputFormat format : allowed) {
    if (!valid.empty())
      valid += ", ";
    valid += to_string(format);
  }
  const bool known = std::any_of(kAllFormats.begin(), kAllFormats.end(),
                                 [&](OutputFormat f) { return to_string(f) == wanted; });
  const std::string quoted = "\"" + std::string(wanted) + "\"";
  if (known)
    return bad_input("output format " + quoted +
                     " is not supported by this command; valid: " + valid);
  return bad_input("unknown output format " + quoted + "; valid: " + valid);
}

} // namespace meshca
