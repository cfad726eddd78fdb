#include "meshca/util/output_format.h"

#include <doctest/doctest.h>

namespace meshca {

TEST_CASE("every output format parses from its own spelling") {
  for (const OutputFormat format : {OutputFormat::text, OutputFormat::wide, OutputFormat::json,
                                    OutputFormat::yaml, OutputFormat::name}) {
    const auto parsed = parse_output_format(
        to_string(format), {OutputFormat::text, OutputFormat::wide, OutputFormat::json,
                            OutputFormat::yaml, OutputFormat::name});
    REQUIRE(parsed.ok());
    CHECK(*parsed == format);
  }
}

TEST_CASE("an empty value means text when text is allowed") {
  const auto parsed = parse_output_format("", {OutputFormat::text, OutputFormat::json});
  REQUIRE(parsed.ok());
  CHECK(*parsed == OutputFormat::text);
  const auto refused = parse_output_format("", {OutputFormat::json});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "output format \"text\" is not supported by this command; "
                                   "valid: json");
}

TEST_CASE("an unknown value lists the valid ones") {
  const auto parsed = parse_output_format(
      "xml", {OutputFormat::text, OutputFormat::wide, OutputFormat::json, OutputFormat::yaml});
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().status == ExitStatus::bad_input);
  CHECK(parsed.error().message == "unknown output format \"xml\"; valid: text, wide, json, yaml");
}

TEST_CASE("a known value this command does not offer is refused") {
  const auto parsed = parse_output_format("name", {OutputFormat::text, OutputFormat::json});
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().status == ExitStatus::bad_input);
  CHECK(parsed.error().message ==
        "output format \"name\" is not supported by this command; valid: text, json");
}

TEST_CASE("values are case-sensitive, as in kubectl") {
  CHECK_FALSE(parse_output_format("JSON", {OutputFormat::json}).ok());
  CHECK_FALSE(parse_output_format(" json", {OutputFormat::json}).ok());
}

} // namespace meshca
