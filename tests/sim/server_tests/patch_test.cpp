#include "server/json_util.h"
#include "server/patch.h"

#include <doctest/doctest.h>

using namespace sim;

namespace {

std::string patched(PatchType type, const char* target, const char* patch) {
  auto doc = parse_json(target);
  REQUIRE(doc);
  auto error = apply_patch(type, patch, *doc);
  REQUIRE_MESSAGE(!error, *error);
  return to_json(*doc);
}

std::string patch_error(PatchType type, const char* target, const char* patch) {
  auto doc = parse_json(target);
  REQUIRE(doc);
  auto error = apply_patch(type, patch, *doc);
  REQUIRE(error);
  return *error;
}

} // namespace

TEST_CASE("content types map to patch types") {
  CHECK(patch_type_from_content_type("application/merge-patch+json") == PatchType::merge);
  CHECK(patch_type_from_content_type("application/strategic-merge-patch+json; charset=utf-8") ==
        PatchType::strategic);
  CHECK(patch_type_from_content_type("application/json-patch+json") == PatchType::json);
  CHECK_FALSE(patch_type_from_content_type("application/apply-patch+yaml"));
}

TEST_CASE("merge patch: null removes, objects merge, lists replace") {
  CHECK(patched(PatchType::merge, R"({"a":{"b":1,"c":2},"l":[1,2]})",
                R"({"a":{"b":null,"d":3},"l":[3]})") == R"({"a":{"c":2,"d":3},"l":[3]})");
}

TEST_CASE("strategic merge: containers merge by name, $patch delete and replace") {
  const char* deploy =
      R"({"spec":{"containers":[{"name":"app","image":"a"},{"name":"proxy","image":"p"}]}})";
  CHECK(patched(PatchType::strategic, deploy,
                R"({"spec":{"containers":[{"name":"proxy","image":"p2"}]}})") ==
        R"({"spec":{"containers":[{"name":"app","image":"a"},{"name":"proxy","image":"p2"}]}})");
  CHECK(
      patched(PatchType::strategic, deploy,
              R"({"spec":{"containers":[{"name":"side","image":"s"}]}})") ==
      R"({"spec":{"containers":[{"name":"app","image":"a"},{"name":"proxy","image":"p"},{"name":"side","image":"s"}]}})");
  CHECK(patched(PatchType::strategic, deploy,
                R"({"spec":{"containers":[{"name":"app","$patch":"delete"}]}})") ==
        R"({"spec":{"containers":[{"name":"proxy","image":"p"}]}})");
  CHECK(patched(PatchType::strategic, R"({"m":{"a":1,"b":2}})",
                R"({"m":{"$patch":"replace","c":3}})") == R"({"m":{"c":3}})");
  CHECK(patched(PatchType::strategic, R"({"args":["a","b"]})",
                R"({"args":["c"],"$setElementOrder/x":[]})") == R"({"args":["c"]})");
}

TEST_CASE("json patch operations and their failures") {
  CHECK(patched(PatchType::json, R"({"a":{"l":[1,3]}})",
                R"([{"op":"add","path":"/a/l/1","value":2},{"op":"add","path":"/a/l/-","value":4},
                    {"op":"add","path":"/a/x~1y","value":0},{"op":"copy","from":"/a/l/0","path":"/b"},
                    {"op":"move","from":"/b","path":"/c"},{"op":"test","path":"/c","value":1}])") ==
        R"({"a":{"l":[1,2,3,4],"x/y":0},"c":1})");
  CHECK(patch_error(PatchType::json, R"({"a":1})", R"([{"op":"remove","path":"/nope"}])") ==
        "unable to remove nonexistent key: nope");
  CHECK(patch_error(PatchType::json, R"({"a":1})", R"([{"op":"test","path":"/a","value":2}])") ==
        "testing value /a failed");
  CHECK(patch_error(PatchType::json, R"({"l":[1]})", R"([{"op":"add","path":"/l/5","value":2}])") ==
        "unable to access invalid index: 5");
  CHECK(patch_error(PatchType::json, R"({})", R"({"op":"add"})") ==
        "a JSON patch must be an array of operations");
  CHECK(patch_error(PatchType::merge, R"({})", R"([1])") == "a merge patch must be a JSON object");
  CHECK(patch_error(PatchType::merge, R"({})", "{") == "the patch is not valid JSON");
}
