// The exec channel protocol (v4/v5.channel.k8s.io) and Kubernetes Status bodies.

#include "meshca/kube/api_client_exec.h"

#include <doctest/doctest.h>
#include <string>

using namespace meshca;
using namespace std::string_literals;

namespace {

constexpr const char* kSuccess = R"({"metadata":{},"status":"Success"})";

std::string nonzero(const std::string& code) {
  return R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code",)"
         R"("reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":")" +
         code + R"("}]}})";
}

} // namespace

TEST_CASE("channels 1 and 2 are joined in order, channel 3 gives the exit code") {
  ExecStreams streams;
  REQUIRE(streams.feed("\x01{\"con"s).ok());
  REQUIRE(streams.feed("\x02warn\n"s).ok());
  REQUIRE(streams
              .feed("\x01"
                    "figs\":[]}"s)
              .ok());
  REQUIRE(streams.feed(""s).ok());            // an empty message is skipped
  REQUIRE(streams.feed("\x00ignored"s).ok()); // stdin echo is ignored
  REQUIRE(streams.feed("\x03"s + kSuccess).ok());
  CHECK(streams.bytes() == 19);
  auto out = streams.finish();
  REQUIRE(out.ok());
  CHECK(out->out == "{\"configs\":[]}");
  CHECK(out->err == "warn\n");
  CHECK(out->exit_code == 0);
}

TEST_CASE("binary data in a channel is kept byte for byte") {
  ExecStreams streams;
  REQUIRE(streams.feed("\x01\x00\xff\x03"s).ok());
  REQUIRE(streams.feed("\x03"s + kSuccess).ok());
  auto out = streams.finish();
  REQUIRE(out.ok());
  CHECK(out->out == "\x00\xff\x03"s);
}

TEST_CASE("a non-zero exit code is read from the status causes") {
  ExecStreams streams;
  REQUIRE(streams.feed("\x02no such file\n"s).ok());
  REQUIRE(streams.feed("\x03"s + nonzero("7")).ok());
  auto out = streams.finish();
  REQUIRE(out.ok());
  CHECK(out->exit_code == 7);
  CHECK(out->err == "no such file\n");
}

TEST_CASE("an exec without a status (connection ended early) is an error") {
  ExecStreams streams;
  REQUIRE(streams.feed("\x01partial"s).ok());
  auto out = streams.finish();
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message.find("closed before the command's exit status") != std::string::npos);
}

TEST_CASE("an unknown channel is an error naming it") {
  ExecStreams streams;
  auto fed = streams.feed("\x09x"s);
  REQUIRE_FALSE(fed.ok());
  CHECK(fed.error().message.find("unexpected channel 9") != std::string::npos);
}

TEST_CASE("exec_exit_code: failures without an exit code carry the server's message") {
  auto missing = exec_exit_code(
      R"x({"status":"Failure","message":"container not found (\"istio-proxy\")","reason":"BadRequest"})x");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message ==
        "exec failed: container not found (\"istio-proxy\") (BadRequest)");
  CHECK_FALSE(exec_exit_code(nonzero("x")).ok());
  CHECK_FALSE(exec_exit_code(nonzero("3a")).ok());
  CHECK_FALSE(exec_exit_code("not json").ok());
  CHECK(exec_exit_code(nonzero("0")).value() == 0);
  CHECK(exec_exit_code(nonzero("127")).value() == 127);
}

TEST_CASE("api_status_message takes a Status message, else the start of the body") {
  CHECK(api_status_message(R"({"kind":"Status","message":"pods is forbidden","code":403})") ==
        "pods is forbidden");
  CHECK(api_status_message("Bad Gateway\n") == "Bad Gateway");
  CHECK(api_status_message("") == "");
  const std::string long_body(400, 'x');
  CHECK(api_status_message(long_body) == std::string(300, 'x') + "...");
}

TEST_CASE("gateway statuses and a proxy's own 500 are transient, API errors are not") {
  CHECK(is_transient_http_failure(502, ""));
  CHECK(is_transient_http_failure(503, "{}"));
  CHECK(is_transient_http_failure(504, "timeout"));
  CHECK(is_transient_http_failure(500, "EOF"));
  CHECK_FALSE(is_transient_http_failure(500, R"({"kind":"Status","status":"Failure","code":500})"));
  CHECK_FALSE(is_transient_http_failure(404, "EOF"));
  CHECK_FALSE(is_transient_http_failure(403, R"({"kind":"Status"})"));
  CHECK_FALSE(is_transient_http_failure(200, ""));
}
