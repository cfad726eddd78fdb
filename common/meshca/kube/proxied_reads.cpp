#include "meshca/kube/proxied_reads.h"

#include "meshca/kube/read_memo.h"
#include "meshca/util/interrupt.h"

namespace meshca {

Result<ProcessOutput> ProxiedReads::run(const std::vector<std::string>& args,
                                        std::optional<std::string> input,
                                        std::chrono::milliseconds timeout) {
  const std::optional<ReadCall> call = input ? std::nullopt : read_call_for(args);
  if (!call)
    return kubectl_.run(args, std::move(input), timeout);
  if (interrupt_flag().load())
    return cluster_error("interrupted (Ctrl-C) before kubectl " + display_args(args) + " started");
  if (!memo_keeps(args))
    return read(*call, timeout);
  return run_read_memo().serve(kubectl_.command_line(args), [&] { return read(*call, timeout); });
}

Result<ProcessOutput> ProxiedReads::read(const ReadCall& call, std::chrono::milliseconds timeout) {
  const auto per_request = timeout.count() > 0 ? timeout : timeout_;
  ReadCallOutput printed(call);
  std::string continue_token;
  do {
    const std::string target = read_call_target(call, continue_token);
    auto response = api_.get(target, per_request);
    ProcessOutput output;
    output.attempts_made = true;
    if (!response) {
      if (interrupt_flag().load())
        return response.error();
      // kubectl's words for a server it cannot reach, with the client's reason and attempts.
      output.exit_code = 1;
      output.err = "Unable to connect to the server: " + response.error().message + "\n";
      return output;
    }
    if (response->status < 200 || response->status > 299) {
      output = read_call_failure(call, response->status, response->body);
      output.attempts_made = true;
      if (!output.succeeded())
        output.attempts_note = response->attempts_note;
      return output;
    }
    MESHCA_TRY_ASSIGN(continue_token, printed.add(target, std::move(response->body)));
  } while (!continue_token.empty());
  ProcessOutput output;
  output.exit_code = 0;
  output.attempts_made = true;
  output.out = printed.text();
  return output;
}

} // namespace meshca
