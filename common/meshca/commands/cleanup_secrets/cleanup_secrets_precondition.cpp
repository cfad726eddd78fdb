#include "meshca/commands/cleanup_secrets/cleanup_secrets_precondition.h"

#include "meshca/checks/trust_gate.h"

#include <map>
#include <tuple>

namespace meshca {
namespace {

std::string pod_id(const PodReport& pod) {
  return (pod.context.empty() ? "" : pod.context + ": ") + pod.name + "." + pod.ns;
}

void append_list(std::string& message, const std::vector<std::string>& items, std::size_t limit) {
  const std::size_t shown = std::min(items.size(), limit);
  for (std::size_t i = 0; i < shown; ++i)
    message += "\n  " + items[i];
  if (items.size() > shown)
    message += "\n  and " + std::to_string(items.size() - shown) + " more";
}

} // namespace

PreconditionVerdict evaluate_precondition(const CheckRootResult& result) {
  PreconditionVerdict verdict;
  // Grouped as the trust gate lists them: per context, namespace, revision and what is wrong.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::size_t> groups;
  for (const PodReport& pod : result.pods) {
    ++verdict.checked;
    if (pod.failed()) {
      verdict.unreadable.push_back(pod_id(pod) + ": " + pod.error);
      continue;
    }
    std::string problem;
    if (!pod.trusts.meshca)
      problem = "trust " + pod.trusts.label();
    else if (!pod.workload || !pod.workload->issuer)
      problem = "have no certificate a root they trust verifies";
    else if (*pod.workload->issuer != CaClass::meshca)
      problem =
          "use mTLS certificates issued by [" + std::string(to_string(*pod.workload->issuer)) + "]";
    if (!problem.empty())
      ++groups[{pod.context, pod.ns, pod.revision, problem}];
  }
  for (const auto& [key, count] : groups) {
    const auto& [context, ns, revision, problem] = key;
    verdict.not_ready.push_back((context.empty() ? "" : "context " + context + ": ") +
                                "namespace " + ns + " (revision " +
                                (revision.empty() ? std::string("unknown") : revision) +
                                "): " + sidecars_that(count, problem));
    verdict.not_ready_sidecars += count;
  }
  for (const std::string& error : result.cluster_errors)
    verdict.unreadable.push_back(error);
  return verdict;
}

Error precondition_error(const PreconditionVerdict& verdict, std::size_t limit) {
  std::string message;
  ExitStatus status = ExitStatus::check_failed;
  if (!verdict.not_ready.empty()) {
    message = std::to_string(verdict.not_ready_sidecars) + " of " +
              std::to_string(verdict.checked) +
              " sidecars still depend on the Citadel CA; deleting its secrets now would break "
              "their mTLS. Nothing was changed:";
    append_list(message, verdict.not_ready, limit);
    message += "\nMove them to the Mesh CA revision first (kubectl meshca relabel ns NS --revision "
               "REV, then kubectl meshca rollout NS)";
  }
  if (!verdict.unreadable.empty()) {
    if (message.empty()) {
      status = ExitStatus::cluster_error;
      message = "could not check every sidecar, so it is not known to be safe to delete the CA "
                "secrets. Nothing was changed:";
    } else {
      message += "\nAlso not checked:";
    }
    append_list(message, verdict.unreadable, limit);
  }
  message += "\nUse --force to delete the secrets anyway.";
  return {status, message};
}

std::vector<std::string> precondition_warnings(const PreconditionVerdict& verdict) {
  std::vector<std::string> lines;
  for (const std::string& pod : verdict.not_ready)
    lines.push_back("--force: " + pod);
  for (const std::string& pod : verdict.unreadable)
    lines.push_back("--force: not checked: " + pod);
  return lines;
}

} // namespace meshca
