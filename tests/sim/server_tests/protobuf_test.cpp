#include "server/protobuf.h"

#include <doctest/doctest.h>

using namespace sim;

// The body kubectl 1.32 sends for `kubectl create secret generic s1 --from-literal=a=b -n default`.
static const std::string
    kSecretBody("k8s\0\n\x0c\n\x02v1\x12\x06Secret\x12%\n\x19\n\x02s1\x12\x00\x1a\x07"
                "default\"\x00*\x00"
                "2\x00"
                "8\x00"
                "B\x00\x12\x06\n\x01"
                "a\x12\x01"
                "b\x1a\x00\x1a\x00\"\x00",
                57);

TEST_CASE("a Secret from kubectl's protobuf body") {
  auto json = protobuf_to_json(kSecretBody);
  REQUIRE(std::holds_alternative<std::string>(json));
  CHECK(
      std::get<std::string>(json) ==
      R"({"apiVersion":"v1","data":{"a":"Yg=="},"kind":"Secret","metadata":{"name":"s1","namespace":"default"}})");
}

TEST_CASE("protobuf errors name the problem") {
  auto not_k8s = protobuf_to_json("{\"kind\":\"Secret\"}");
  REQUIRE(std::holds_alternative<ProtobufError>(not_k8s));
  CHECK(std::get<ProtobufError>(not_k8s).message.find("magic") != std::string::npos);
  auto truncated = protobuf_to_json(kSecretBody.substr(0, 20));
  REQUIRE(std::holds_alternative<ProtobufError>(truncated));
  std::string pod("k8s\0\n\x09\n\x02v1\x12\x03Pod\x12\x00", 17);
  auto unsupported = protobuf_to_json(pod);
  REQUIRE(std::holds_alternative<ProtobufError>(unsupported));
  CHECK(std::get<ProtobufError>(unsupported).message.find("not Pod") != std::string::npos);
}

TEST_CASE("base64") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("b") == "Yg==");
  CHECK(base64_encode("ab") == "YWI=");
  CHECK(base64_encode("abc") == "YWJj");
  CHECK(base64_encode(std::string("\xff\x00\x01", 3)) == "/wAB");
}
