#include "meshca/cli/completion_cluster.h"

#include "meshca/mesh/control_plane.h"
#include "meshca/util/json.h"
#include "meshca/util/process.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace meshca {
namespace {

// One attempt per call, no retry: a Tab press must not wait for a retry policy's back-off.
Result<std::string> read_output(KubectlRunner& kubectl, const std::vector<std::string>& args,
                                std::string_view what) {
  MESHCA_TRY_ASSIGN(auto output, kubectl.run(args));
  if (!output.succeeded())
    return kubectl_failure(output, args, what);
  return std::move(output.out);
}

// "namespace/foo" lines (or bare names, as `config get-contexts -o name` prints) to names.
std::vector<Candidate> name_lines(const std::string& text) {
  std::vector<Candidate> names;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const std::size_t slash = line.find('/');
    if (slash != std::string::npos)
      line.erase(0, slash + 1);
    if (!line.empty())
      names.push_back({line, ""});
  }
  return names;
}

Result<rapidjson::Document> read_json(KubectlRunner& kubectl, const std::vector<std::string>& args,
                                      std::string_view what) {
  MESHCA_TRY_ASSIGN(auto text, read_output(kubectl, args, what));
  return json::parse(text, what);
}

Result<ControlPlane> read_plane(KubectlRunner& kubectl) {
  MESHCA_TRY_ASSIGN(auto deployments, read_json(kubectl,
                                                {"get", "deployments", "--all-namespaces",
                                                 "--selector", "istio.io/rev", "-o", "json"},
                                                "listing control-plane Deployments"));
  MESHCA_TRY_ASSIGN(auto webhooks,
                    read_json(kubectl, {"get", "mutatingwebhookconfigurations", "-o", "json"},
                              "listing sidecar injector webhooks"));
  return parse_control_plane(deployments, webhooks);
}

std::string revision_description(const ControlPlaneRevision& revision) {
  if (revision.istiod)
    return "istiod " + revision.istiod->name;
  if (!revision.gateways.empty())
    return "gateways only, no istiod";
  return "injector webhook only, no istiod";
}

// Every revision (prune-revision), or those an istiod serves plus revision tags (relabel).
std::vector<Candidate> revision_candidates(const ControlPlane& plane, Lookup lookup) {
  std::vector<Candidate> candidates;
  for (const ControlPlaneRevision& revision : plane.revisions) {
    if (lookup == Lookup::revisions || revision.istiod)
      candidates.push_back({revision.name, revision_description(revision)});
  }
  if (lookup == Lookup::revisions_and_tags) {
    for (const InjectorWebhook& webhook : plane.webhooks) {
      if (!webhook.tag.empty())
        candidates.push_back({webhook.tag, "revision tag for " + webhook.revision});
    }
  }
  return candidates;
}

// Bounds every call by what is left of one deadline and kubectl's own request timeout.
class BudgetedKubectl final : public KubectlRunner {
 public:
  BudgetedKubectl(Kubectl kubectl, std::chrono::milliseconds total)
      : kubectl_(std::move(kubectl)), deadline_(std::chrono::steady_clock::now() + total) {}

  Result<ProcessOutput> run(const std::vector<std::string>& args, std::optional<std::string> input,
                            std::chrono::milliseconds timeout) override {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ProcessOutput expired;
      expired.timed_out = true;
      return expired;
    }
    return kubectl_.run(args, std::move(input),
                        timeout.count() > 0 ? std::min(timeout, left) : left);
  }

 private:
  Kubectl kubectl_;
  std::chrono::steady_clock::time_point deadline_;
};

} // namespace

Result<std::vector<Candidate>> lookup_candidates(KubectlRunner& kubectl, Lookup lookup) {
  switch (lookup) {
  case Lookup::none:
    return std::vector<Candidate>();
  case Lookup::namespaces: {
    MESHCA_TRY_ASSIGN(
        auto text, read_output(kubectl, {"get", "namespaces", "-o", "name"}, "listing namespaces"));
    return name_lines(text);
  }
  case Lookup::contexts: {
    MESHCA_TRY_ASSIGN(auto text, read_output(kubectl, {"config", "get-contexts", "-o", "name"},
                                             "listing contexts"));
    return name_lines(text);
  }
  case Lookup::revisions:
  case Lookup::revisions_and_tags: {
    MESHCA_TRY_ASSIGN(auto plane, read_plane(kubectl));
    return revision_candidates(plane, lookup);
  }
  }
  return std::vector<Candidate>();
}

Completion finish_completion(const CompletionPlan& plan, KubectlRunner& kubectl) {
  Completion completion{plan.candidates, plan.directive};
  if (plan.lookup == Lookup::none)
    return completion;
  auto found = lookup_candidates(kubectl, plan.lookup);
  if (!found)
    return Completion{{}, Directive::no_file};
  std::set<std::string> seen;
  for (Candidate& candidate : *found) {
    const bool excluded =
        std::find(plan.exclude.begin(), plan.exclude.end(), candidate.value) != plan.exclude.end();
    if (!excluded && candidate.value.starts_with(plan.prefix) &&
        seen.insert(candidate.value).second)
      completion.candidates.push_back(std::move(candidate));
  }
  return completion;
}

Completion complete_with_cluster(const CompletionPlan& plan, const CompletionBudget& budget) {
  if (plan.lookup == Lookup::none)
    return Completion{plan.candidates, plan.directive};
  auto path = locate_kubectl(plan.kubectl);
  if (!path)
    return Completion{{}, Directive::no_file};
  ConnectionFlags flags = plan.connection;
  if (plan.lookup == Lookup::contexts) {
    flags = ConnectionFlags(); // the kubeconfig's contexts, whichever context was typed
    flags.kubeconfig = plan.connection.kubeconfig;
  } else {
    flags.request_timeout = budget.request_timeout;
  }
  BudgetedKubectl kubectl(Kubectl(*path, flags), budget.total);
  return finish_completion(plan, kubectl);
}

std::vector<std::string_view> commands_on_path(CommandTable commands) {
  std::vector<std::string_view> names;
  for (const CommandInfo& command : commands) {
    if (find_in_path(command.executable))
      names.push_back(command.name);
  }
  return names;
}

} // namespace meshca
