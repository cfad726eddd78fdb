#pragma once
// One `kubectl proxy` on a Unix socket in a private folder: the user's own kubectl does the
// authentication (kubeconfig, context, exec credential plugins), the plugin speaks plain HTTP and
// WebSocket to the socket in process, with no kubectl process per request.
//
// The proxy's request filter must let exec through (`--reject-paths=^$`; the default rejects
// pods/exec and pods/attach, which kubectl proxy blocks because any local web page could reach a
// TCP proxy port). That is safe only because nobody else can reach the socket: it lives in a
// fresh 0700 folder of this user, and is removed with the folder when the proxy stops. The Host
// check stays on (the client sends Host: localhost).

#include "meshca/kube/connection_flags.h"
#include "meshca/kube/kubectl.h"
#include "meshca/util/background_process.h"
#include "meshca/util/result.h"

#include <chrono>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace meshca {

struct ProxyStartOptions {
  std::string kubectl;   // the kubectl executable (see locate_kubectl)
  ConnectionFlags flags; // the user's connection flags, passed through
  Verbose verbose = Verbose::no;
  std::ostream* echo = nullptr; // -v: the proxy's command line is printed here
  std::chrono::milliseconds start_timeout{15000};
  std::string temp_root; // parent of the private folder; "" = $TMPDIR, else /tmp
};

// kubectl's arguments for a proxy on `socket_path` (connection flags first).
std::vector<std::string> proxy_args(const ConnectionFlags& flags, const std::string& socket_path);

class KubectlProxy {
 public:
  // Creates the private folder, starts the proxy and waits until its socket accepts
  // connections. cluster_error when the folder cannot be made, kubectl cannot be started, the
  // proxy ends early (the message carries kubectl's own words) or does not listen in time.
  static Result<std::unique_ptr<KubectlProxy>> start(const ProxyStartOptions& options);

  ~KubectlProxy(); // stops the proxy (its whole process group) and removes the folder
  KubectlProxy(const KubectlProxy&) = delete;
  KubectlProxy& operator=(const KubectlProxy&) = delete;

  const std::string& socket_path() const { return socket_path_; }

 private:
  KubectlProxy(std::string dir, BackgroundProcess process)
      : dir_(std::move(dir)), socket_path_(dir_ + "/sock"), process_(std::move(process)) {}
  std::string dir_;
  std::string socket_path_;
  BackgroundProcess process_;
};

// The folder for the proxy socket: "<root>/kubectl-meshca-XXXXXX", created 0700 by mkdtemp.
Result<std::string> make_private_temp_dir(const std::string& root);

} // namespace meshca
