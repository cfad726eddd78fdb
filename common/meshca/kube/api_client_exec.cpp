#include "meshca/kube/api_client_exec.h"

#include "meshca/util/json.h"

#include <charconv>

namespace meshca {
namespace {

std::optional<int> exit_code_cause(const rapidjson::Value& status) {
  const rapidjson::Value* details = json::object_member(status, "details");
  const rapidjson::Value* causes = details ? json::array_member(*details, "causes") : nullptr;
  if (causes == nullptr)
    return std::nullopt;
  for (const rapidjson::Value& cause : causes->GetArray()) {
    if (json::string_member(cause, "reason") != "ExitCode")
      continue;
    auto text = json::string_member(cause, "message");
    int code = 0;
    if (!text)
      return std::nullopt;
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, code);
    if (ec == std::errc() && ptr == end)
      return code;
  }
  return std::nullopt;
}

} // namespace

Status ExecStreams::feed(std::string_view message) {
  if (message.empty())
    return done();
  const auto channel = static_cast<unsigned char>(message.front());
  message.remove_prefix(1);
  if (bytes() + message.size() > kMaxExecOutputBytes)
    return cluster_error("the exec answer is more than " +
                         std::to_string(kMaxExecOutputBytes >> 20) +
                         " MiB; stopped reading it (a config dump is far smaller)");
  switch (channel) {
  case 0:
    return done();
  case 1:
    if (stdout_sink_) {
      streamed_ += message.size();
      stdout_sink_(message);
    } else {
      out_.append(message);
    }
    return done();
  case 2:
    err_.append(message);
    return done();
  case 3:
    status_.append(message);
    have_status_ = true;
    return done();
  default:
    return cluster_error("exec stream: unexpected channel " + std::to_string(channel) +
                         " (the API server speaks a protocol other than v4/v5.channel.k8s.io)");
  }
}

Result<ExecOutput> ExecStreams::finish() {
  if (!have_status_)
    return cluster_error("the exec connection closed before the command's exit status arrived");
  MESHCA_TRY_ASSIGN(auto code, exec_exit_code(status_));
  return ExecOutput{std::move(out_), std::move(err_), code};
}

Result<int> exec_exit_code(std::string_view status_json) {
  auto doc = json::parse(status_json, "exec status");
  if (!doc)
    return cluster_error(doc.error().message);
  const auto status = json::string_member(*doc, "status");
  if (status == "Success")
    return 0;
  const auto reason = json::string_member(*doc, "reason");
  if (status == "Failure" && reason == "NonZeroExitCode") {
    if (auto code = exit_code_cause(*doc))
      return *code;
  }
  const auto message = json::string_member(*doc, "message");
  return cluster_error("exec failed: " +
                       std::string(message  ? *message
                                   : status ? *status
                                            : "no status") +
                       (reason ? " (" + std::string(*reason) + ")" : ""));
}

std::string api_status_message(std::string_view body) {
  auto doc = json::parse(body, "status");
  if (doc && doc->IsObject()) {
    if (auto message = json::string_member(*doc, "message"))
      return std::string(*message);
  }
  std::string text(body.substr(0, 300));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  return body.size() > 300 ? text + "..." : text;
}

bool is_transient_http_failure(int status, std::string_view body) {
  if (status == 502 || status == 503 || status == 504)
    return true;
  if (status != 500)
    return false;
  auto doc = json::parse(body, "status");
  return !doc || !doc->IsObject() || json::string_member(*doc, "kind") != "Status";
}

} // namespace meshca
