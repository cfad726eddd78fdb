#include "server/json_util.h"
#include "server/selectors.h"

#include <doctest/doctest.h>

using namespace sim;

namespace {

rapidjson::Document pod(const char* labels, const char* phase = "Running") {
  auto doc =
      parse_json(std::string(R"({"metadata":{"name":"p","namespace":"ns","labels":)") + labels +
                 R"(},"spec":{"nodeName":"n1"},"status":{"phase":")" + phase + "\"}}");
  REQUIRE(doc);
  return std::move(*doc);
}

bool labels_match(const char* selector, const char* labels) {
  auto parsed = parse_label_selector(selector);
  REQUIRE(std::holds_alternative<LabelSelector>(parsed));
  return std::get<LabelSelector>(parsed).matches(pod(labels));
}

} // namespace

TEST_CASE("label selectors: equality, sets, existence") {
  const char* labels = R"({"app":"web","tier":"front"})";
  CHECK(labels_match("", labels));
  CHECK(labels_match("app=web", labels));
  CHECK(labels_match("app==web", labels));
  CHECK_FALSE(labels_match("app=db", labels));
  CHECK(labels_match("app!=db", labels));
  CHECK(labels_match("missing!=x", labels));
  CHECK(labels_match("app in (db, web)", labels));
  CHECK_FALSE(labels_match("app notin (db,web)", labels));
  CHECK(labels_match("missing notin (x)", labels));
  CHECK(labels_match("tier", labels));
  CHECK(labels_match("!missing", labels));
  CHECK_FALSE(labels_match("!tier", labels));
  CHECK(labels_match("app in (web),tier=front,!x", labels));
  CHECK_FALSE(labels_match("app=web,tier=back", labels));
  CHECK(labels_match("istio.io/rev", R"({"istio.io/rev":"a"})"));
}

TEST_CASE("label selector syntax errors") {
  for (const char* bad : {"app in web", "app in (web", "=x", "a b c", "!"}) {
    auto parsed = parse_label_selector(bad);
    CHECK_MESSAGE(std::holds_alternative<std::string>(parsed), bad);
  }
}

TEST_CASE("field selectors compare dotted paths, = == and !=") {
  auto doc = pod("{}", "Succeeded");
  auto match = [&](const char* text) {
    auto parsed = parse_field_selector(text);
    REQUIRE(std::holds_alternative<FieldSelector>(parsed));
    return std::get<FieldSelector>(parsed).matches(doc);
  };
  CHECK(match("metadata.name=p"));
  CHECK(match("metadata.namespace==ns,spec.nodeName=n1"));
  CHECK(match("status.phase!=Running"));
  CHECK_FALSE(match("status.phase=Running"));
  CHECK(match("spec.missing="));
  CHECK(std::holds_alternative<std::string>(parse_field_selector("novalue")));
  CHECK(std::holds_alternative<std::string>(parse_field_selector("=x")));
}
