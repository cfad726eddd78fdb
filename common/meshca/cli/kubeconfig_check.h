#pragma once
// The kubeconfig and the names typed for it (--kubeconfig, --context, --cluster, --user) are the
// user's input: a missing or unreadable file, or a name the file does not hold, is bad_input
// (exit 2) and is found before anything is sent to a cluster. kubectl stays the only reader of
// kubeconfig files (`kubectl config view -o json`, which prints no credentials).

#include "meshca/cli/common_options.h"
#include "meshca/kube/kubectl.h"
#include "meshca/util/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// What a kubeconfig (or the merged $KUBECONFIG list) holds, by name.
struct KubeconfigNames {
  std::vector<std::string> contexts;
  std::vector<std::string> clusters;
  std::vector<std::string> users;
};

// The names in the output of `kubectl config view -o json`. bad_input when it is not such a
// document (kubectl printed something else).
Result<KubeconfigNames> parse_kubeconfig_names(std::string_view json);

// Each --context, --cluster and --user given must be in `names`; otherwise bad_input naming the
// flag, the value, what there is (and the closest name), and the kubectl command that lists them.
Status check_connection_names(const CommonOptions& options, const KubeconfigNames& names);

// --kubeconfig, when given, must name a readable regular file (bad_input otherwise). No process
// is run.
Status check_kubeconfig_file(const CommonOptions& options);

// check_kubeconfig_file, then, when any of --kubeconfig, --context, --cluster or --user was
// given, reads the names with `kubectl config view -o json` (through `kubectl`, which must carry
// no --context/--cluster/--user) and checks them. A kubeconfig kubectl cannot load is bad_input.
// Without those flags nothing is run: the first real call's failure goes through
// classify_kubeconfig_error instead.
Status check_kubeconfig(KubectlRunner& kubectl, const CommonOptions& options);

// The kubectl to run (locate_kubectl: --kubectl, $KUBECTL, else PATH), with the kubeconfig
// checked as check_kubeconfig does (kubectl given only --kubeconfig; echoed with -v). A missing
// kubectl is cluster_error (exit 3, as DESIGN.md says); a bad kubeconfig or name is bad_input.
Result<std::string> prepare_kubectl(const CommonOptions& options);

// A kubectl failure that the kubeconfig caused (a file kubectl cannot load, a context, cluster
// or user it does not hold, an invalid --request-timeout), rephrased as bad_input with the fix;
// any other error is returned unchanged.
Error classify_kubeconfig_error(Error error);

} // namespace meshca
