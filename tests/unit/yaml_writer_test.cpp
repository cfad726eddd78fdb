#include "meshca/util/json.h"
#include "meshca/util/process.h"
#include "meshca/util/yaml_writer.h"

#include <doctest/doctest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace meshca {

namespace {

rapidjson::Document parse_json(std::string_view text) {
  auto document = json::parse(text, "test JSON");
  REQUIRE_MESSAGE(document.ok(), (document.ok() ? "" : document.error().message));
  return std::move(document).value();
}

std::string yaml_of(std::string_view json_text) {
  return to_yaml(parse_json(json_text));
}

// The scalar as written for {"k": text}, without the "k: " and the newline.
std::string scalar_text(const std::string& text) {
  rapidjson::Document document(rapidjson::kObjectType);
  document.AddMember("k", rapidjson::Value(text, document.GetAllocator()), document.GetAllocator());
  const std::string yaml = to_yaml(document);
  return yaml.substr(3, yaml.size() - 4);
}

// Reads YAML back with PyYAML (a YAML 1.1 reader, as strict about plain scalars as go-yaml),
// or nullopt when it is not installed.
std::optional<std::string> pyyaml_to_json(const std::string& yaml) {
  const auto python = find_in_path("python3");
  if (!python)
    return std::nullopt;
  ProcessSpec spec;
  spec.program = *python;
  spec.args = {"-c", "import sys, json, yaml\n"
                     "print(json.dumps(yaml.safe_load(sys.stdin.read())))"};
  spec.input = yaml;
  auto out = run_process(spec);
  if (!out.ok() || out->exit_code != 0) {
    if (out.ok() && out->err.find("No module named 'yaml'") != std::string::npos)
      return std::nullopt;
    FAIL("PyYAML could not read the output: " << (out.ok() ? out->err : out.error().message) << "\n"
                                              << yaml);
  }
  return out->out;
}

} // namespace

TEST_CASE("maps and lists use kubectl's block layout") {
  const std::string yaml = yaml_of(R"({
    "apiVersion": "v1", "kind": "Secret",
    "metadata": {"name": "cacerts", "labels": {"istio.io/rev": "asm-1-19"}, "annotations": {}},
    "items": [{"a": 1, "b": [1, 2]}, [], "x", [[1], {"c": null}]],
    "empty": [], "n": null, "t": true, "f": false, "pi": 3.25, "whole": 3.0, "big": 1e300,
    "neg": -7, "huge": 18446744073709551615})");
  CHECK(yaml == R"(apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  labels:
    istio.io/rev: asm-1-19
  annotations: {}
items:
- a: 1
  b:
  - 1
  - 2
- []
- x
- - - 1
  - c: null
empty: []
"n": null
t: true
f: false
pi: 3.25
whole: 3.0
big: 1.0e+300
neg: -7
huge: 18446744073709551615
)");
}

TEST_CASE("top-level scalars and empty collections") {
  CHECK(yaml_of("{}") == "{}\n");
  CHECK(yaml_of("[]") == "[]\n");
  CHECK(yaml_of("\"plain\"") == "plain\n");
  CHECK(yaml_of("\"yes\"") == "\"yes\"\n");
  CHECK(yaml_of("42") == "42\n");
  CHECK(yaml_of("[\"a\", \"b\"]") == "- a\n- b\n");
}

TEST_CASE("strings that would read as something else are quoted") {
  for (const std::string text :
       {"true", "False", "yes",   "No",   "on",         "OFF",
        "y",    "N",     "null",  "Null", "~",          "",
        "123",  "-1",    "+1",    "1.5",  ".5",         "1e3",
        "1E-3", "0x1F",  "0o17",  "012",  "0b101",      "1_000",
        "1:20", ".inf",  "-.Inf", ".NaN", "2024-01-01", "2024-01-01T00:00:00Z",
        "<<",   "="}) {
    CAPTURE(text);
    CHECK(scalar_style(text) == ScalarStyle::double_quoted);
    CHECK(scalar_text(text) == "\"" + text + "\"");
  }
}

TEST_CASE("strings with indicators or comment and mapping markers are quoted") {
  for (const std::string text :
       {"a: b", "a #b", "#x", "- x",     "-x",        "--ca", "*x",       "&x",  "!x",
        "|",    ">",    "'x", "\"x",     "%x",        "@x",   "`x",       "{a}", "[a]",
        ",a",   "?x",   ":x", " padded", "trailing ", "end:", "tab\there"}) {
    CAPTURE(text);
    CHECK(scalar_style(text) == ScalarStyle::double_quoted);
  }
  CHECK(scalar_text("tab\there") == "\"tab\\there\"");
  CHECK(scalar_text("say \"hi\" \\o/") == "say \"hi\" \\o/"); // plain: quotes only at the start
  CHECK(scalar_text("\"hi\"") == "\"\\\"hi\\\"\"");
  CHECK(scalar_text("bell\x07") == "\"bell\\x07\"");
  CHECK(scalar_text("a\xe2\x80\xa8z") == "\"a\\Lz\""); // U+2028 is a line break to YAML 1.1
  CHECK(scalar_text("\xef\xbb\xbfx") == "\"\\uFEFFx\"");
}

TEST_CASE("ordinary strings stay plain") {
  for (const std::string text :
       {"asm-1-19", "1.19.3", "istio.io/rev", "spiffe://cluster.local/ns/default/sa/demo", "a:b",
        "a#b", "CITADEL MESHCA", "héllo", "x-y_z", "v1", "a,b", "x[CITADEL]", "1a"}) {
    CAPTURE(text);
    CHECK(scalar_style(text) == ScalarStyle::plain);
    CHECK(scalar_text(text) == text);
  }
}

TEST_CASE("multi-line strings become literal blocks with the right chomping") {
  CHECK(yaml_of(R"({"k": "line1\nline2\n"})") == "k: |\n  line1\n  line2\n");
  CHECK(yaml_of(R"({"k": "a\nb"})") == "k: |-\n  a\n  b\n");
  CHECK(yaml_of(R"({"k": "a\n\n"})") == "k: |+\n  a\n\n");
  CHECK(yaml_of(R"({"k": "a\n\nb\n"})") == "k: |\n  a\n\n  b\n");
  CHECK(
      yaml_of(
          R"({"m": {"pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}})") ==
      "m:\n  pem: |\n    -----BEGIN CERTIFICATE-----\n    MIIB\n    -----END CERTIFICATE-----\n");
  CHECK(yaml_of(R"(["x\ny"])") == "- |-\n  x\n  y\n");
  // A block cannot start with spaces or an empty line, nor hold a carriage return.
  CHECK(yaml_of(R"({"k": "  lead\nx"})") == "k: \"  lead\\nx\"\n");
  CHECK(yaml_of(R"({"k": "\nx"})") == "k: \"\\nx\"\n");
  CHECK(yaml_of(R"({"k": "a\r\nb"})") == "k: \"a\\r\\nb\"\n");
}

TEST_CASE("keys are quoted by the same rules") {
  CHECK(yaml_of(R"({"a: b": 1, "true": 2, "": 3, "ok": 4})") ==
        "\"a: b\": 1\n\"true\": 2\n\"\": 3\nok: 4\n");
  CHECK(yaml_of(R"({"two\nlines": 1})") == "\"two\\nlines\": 1\n");
}

TEST_CASE("tricky documents round-trip through a YAML reader") {
  const std::string source = R"({
    "strings": ["true", "no", "~", "", "012", "1e3", "1:20", "2024-01-01", "a: b", "a #b", "#c",
                "- d", "*e", " f", "g ", "h\ti", "j\nk", "l\n", "m\n\n", "  n\no", "\nq",
                "say \"hi\"", "back\\slash", "uni\u00e9", "ls\u2028ps\u2029", "nel\u0085",
                "ctl\u0001", "{x}", "[y]", "%z", "@w", "`v", "!u", "&t", "<<", "=", "a:b",
                "spiffe://cluster.local/ns/foo/sa/bar", "-----BEGIN X-----\nAA==\n-----END X-----\n"],
    "numbers": [0, -1, 1.5, 3.0, 1e300, 1e-7, 9007199254740993],
    "nested": {"list": [[], {}, [[]], {"a": [{"b": {"c": "d"}}]}], "map": {"x y": null}},
    "bools": [true, false], "nothing": null})";
  const auto original = parse_json(source);
  const std::string yaml = to_yaml(original);
  const auto reread = pyyaml_to_json(yaml);
  if (!reread) {
    MESSAGE("python3 with PyYAML is not installed: round trip not checked");
    return;
  }
  const auto back = parse_json(*reread);
  rapidjson::StringBuffer printed;
  rapidjson::Writer<rapidjson::StringBuffer> writer(printed);
  back.Accept(writer);
  CAPTURE(yaml);
  CAPTURE(printed.GetString());
  CHECK(back == original);
}

} // namespace meshca
