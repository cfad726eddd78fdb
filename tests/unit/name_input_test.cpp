#include "meshca/cli/name_input.h"

#include <doctest/doctest.h>
#include <sstream>

namespace {

meshca::Result<std::vector<std::string>> read(const std::string& text) {
  std::istringstream in(text);
  return meshca::read_namespace_names(in);
}

} // namespace

TEST_CASE("read_namespace_names takes -o name lines, bare names and kubectl's trailing verbs") {
  auto names = read("namespace/foo\nbar\nnamespace/baz labeled\r\nns/qux not labeled\n"
                    "namespaces/quux\n");
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"foo", "bar", "baz", "qux", "quux"});
}

TEST_CASE("read_namespace_names skips blank lines and comments and keeps each name once") {
  auto names = read("\n# from relabel\n  namespace/foo  \n\t\nfoo\nbar\nnamespace/bar\n");
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"foo", "bar"});
  auto empty = read("");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("read_namespace_names rejects other kinds and non-names, naming the line") {
  auto pod = read("namespace/foo\npod/web-1\n");
  REQUIRE_FALSE(pod.ok());
  CHECK(pod.error().status == meshca::ExitStatus::bad_input);
  CHECK(pod.error().message.find("stdin line 2") != std::string::npos);
  CHECK(pod.error().message.find("\"pod/web-1\" is not a namespace") != std::string::npos);

  auto header = read("NAME   STATUS   AGE\n");
  REQUIRE_FALSE(header.ok());
  CHECK(header.error().message.find("stdin line 1") != std::string::npos);

  CHECK_FALSE(read("namespace/\n").ok());
  CHECK_FALSE(read("foo_bar\n").ok());
}

TEST_CASE("DNS label rules for namespaces and revisions") {
  CHECK(meshca::is_dns1123_label("asm-1-19"));
  CHECK(meshca::is_dns1123_label("1abc"));
  CHECK_FALSE(meshca::is_dns1123_label(""));
  CHECK_FALSE(meshca::is_dns1123_label("-abc"));
  CHECK_FALSE(meshca::is_dns1123_label("abc-"));
  CHECK_FALSE(meshca::is_dns1123_label("Abc"));
  CHECK_FALSE(meshca::is_dns1123_label("a.b"));
  CHECK(meshca::is_dns1123_label(std::string(63, 'a')));
  CHECK_FALSE(meshca::is_dns1123_label(std::string(64, 'a')));
  CHECK(meshca::is_dns1035_label("asm-1-19-mcroot"));
  CHECK_FALSE(meshca::is_dns1035_label("1-19"));
  CHECK_FALSE(meshca::is_dns1035_label("asm_1"));
}
