#pragma once
// The side-effect part of shell completion: the lookups a CompletionPlan asks for (namespaces,
// control-plane revisions and tags from the cluster, contexts from the kubeconfig), done through
// the user's kubectl under one short time budget. Completion never reports an error: a failed,
// slow or unreachable cluster gives no candidates and Directive::no_file.

#include "meshca/cli/completion.h"
#include "meshca/kube/kubectl.h"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

struct CompletionBudget {
  std::chrono::milliseconds total{3000}; // every kubectl call of one completion, together
  std::string request_timeout = "2s";    // kubectl's own --request-timeout per request
};

// The values of `lookup` through `kubectl`: namespaces (`get namespaces -o name`), contexts
// (`config get-contexts -o name`), revisions (every istio.io/rev of the control plane, for
// prune-revision), revisions_and_tags (revisions an istiod serves, and revision tags, for
// relabel --revision). Candidates carry a short description where one helps. The error of the
// first kubectl call that fails.
Result<std::vector<Candidate>> lookup_candidates(KubectlRunner& kubectl, Lookup lookup);

// The plan's answer: its own candidates, then the looked-up values that start with its prefix
// and are not excluded. A failed lookup gives no candidates and Directive::no_file.
Completion finish_completion(const CompletionPlan& plan, KubectlRunner& kubectl);

// finish_completion with the user's kubectl (the plan's --kubectl, else $KUBECTL, else PATH)
// and the plan's connection flags, every call bounded by `budget`. Without a lookup no kubectl
// is started.
Completion complete_with_cluster(const CompletionPlan& plan, const CompletionBudget& budget = {});

// The command names whose executables are on $PATH, so kubectl lists them itself.
std::vector<std::string_view> commands_on_path(CommandTable commands);

} // namespace meshca
