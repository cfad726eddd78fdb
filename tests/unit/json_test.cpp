#include "meshca/util/json.h"

#include <doctest/doctest.h>
#include <string>

using namespace meshca;

TEST_CASE("json parse accepts a document with trailing newline") {
  const auto doc = json::parse("{\"a\": [1, 2]}\n", "test input");
  REQUIRE(doc.ok());
  CHECK(doc->IsObject());
  CHECK((*doc)["a"].Size() == 2);
}

TEST_CASE("json parse error names the input, offset, line, column and reason") {
  const auto doc = json::parse("{\n  \"a\": 1\n  \"b\": 2\n}", "config dump of pod \"ns/x\"");
  REQUIRE_FALSE(doc.ok());
  CHECK(doc.error().status == ExitStatus::bad_input);
  CHECK(doc.error().message ==
        "config dump of pod \"ns/x\": invalid JSON at offset 13 (line 3, column 3): "
        "Missing a comma or '}' after an object member.");
}

TEST_CASE("json parse rejects truncated, trailing-garbage and empty input") {
  const auto truncated = json::parse("{\"configs\": [{\"@type\": \"x\"", "dump");
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.error().message.find("invalid JSON at offset 26") != std::string::npos);
  CHECK_FALSE(json::parse("{} {}", "dump").ok());
  const auto empty = json::parse(" \n", "dump");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message == "dump: empty input where JSON was expected");
}

TEST_CASE("json parse enforces the size limit") {
  const auto doc = json::parse("[1,2,3,4]", "big dump", 8);
  REQUIRE_FALSE(doc.ok());
  CHECK(doc.error().message ==
        "big dump: 9 bytes is more than the limit of 8 bytes for JSON input");
  CHECK(json::parse("[1,2,3,4]", "dump", 9).ok());
}

TEST_CASE("json camel_case follows the proto json_name rule") {
  CHECK(json::camel_case("dynamic_active_secrets") == "dynamicActiveSecrets");
  CHECK(json::camel_case("name") == "name");
  CHECK(json::camel_case("san_type") == "sanType");
  CHECK(json::camel_case("tls_certificate_sds_secret_configs") == "tlsCertificateSdsSecretConfigs");
}

TEST_CASE("json member finds either spelling, snake_case first") {
  const auto doc = json::parse(R"({"inline_bytes": "s", "inlineString": "c",
                                   "both_here": 1, "bothHere": 2, "list": [], "obj": {}})",
                               "t");
  REQUIRE(doc.ok());
  CHECK(json::string_member(*doc, "inline_bytes") == "s");
  CHECK(json::string_member(*doc, "inline_string") == "c");
  CHECK(json::member(*doc, "both_here")->GetInt() == 1);
  CHECK(json::member(*doc, "inline_string", "inlineString") != nullptr);
  CHECK(json::member(*doc, "missing_key") == nullptr);
  CHECK(json::array_member(*doc, "list") != nullptr);
  CHECK(json::array_member(*doc, "obj") == nullptr);
  CHECK(json::object_member(*doc, "obj") != nullptr);
  CHECK(json::object_member(*doc, "list") == nullptr);
  CHECK_FALSE(json::string_member(*doc, "list").has_value());
  // Lookups on non-objects are safe and find nothing.
  CHECK(json::member((*doc)["list"], "x") == nullptr);
  CHECK_FALSE(json::as_string((*doc)["obj"]).has_value());
}

TEST_CASE("json parse_in_place gives the same document and the same errors") {
  const std::string text = R"({"a": "x\ny", "b": [1, {"c": null}]})";
  std::string buffer;
  const auto doc = json::parse_in_place(text, buffer, "t");
  REQUIRE(doc.ok());
  CHECK(json::string_member(*doc, "a") == "x\ny");
  CHECK((*doc)["b"][1].HasMember("c"));
  std::string broken_buffer;
  const auto broken = json::parse_in_place("{\"a\": \"x\\ny\",\n \"b\" 1}", broken_buffer, "t");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message ==
        "t: invalid JSON at offset 19 (line 2, column 6): Missing a colon after a name of object "
        "member.");
  std::string nul_buffer;
  const auto nul = json::parse_in_place(std::string("{}\0{", 4), nul_buffer, "t");
  REQUIRE_FALSE(nul.ok());
  CHECK(nul.error().message == "t: invalid JSON at offset 2: a NUL byte");
}

TEST_CASE("json parse survives very deep nesting") {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  CHECK(json::parse(deep, "deep").ok());
  std::string buffer;
  CHECK(json::parse_in_place(deep + "]", buffer, "deep").error().message.find("offset 400000") !=
        std::string::npos);
}
