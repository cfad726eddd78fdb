#pragma once
// End-to-end fixture: a meshca-sim of its own (ephemeral port, temp dir, private kubectl
// discovery cache), the real kubectl pointed at it, and plain HTTP to its control endpoints.

#include "meshca/util/process.h"

#include <chrono>
#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace e2e {

struct SimOptions {
  std::vector<std::string> args; // extra meshca-sim flags
  bool standard_seed = true;     // create the objects of standard_seed_json()
  std::string extra_seed_json;   // a further seed file's contents (JSON array), if not empty

  static SimOptions flags(std::vector<std::string> extra_args) {
    SimOptions options;
    options.args = std::move(extra_args);
    return options;
  }
};

// The objects most tests use: namespace demo with pods web-1 (Running, containers app and
// istio-proxy), job-1 (Succeeded); Deployment/Service/HPA/PDB "web", StatefulSet "db",
// DaemonSet "agent"; an IstioOperator and a MutatingWebhookConfiguration.
std::string standard_seed_json();

struct HttpReply {
  int status = 0; // 0: no answer (connection failed or closed)
  std::string body;
};

class SimCluster {
 public:
  // Starts meshca-sim and waits (up to 60 s) for its ready file. Fails the test (doctest
  // REQUIRE) when it does not come up, with its stderr in the message.
  explicit SimCluster(SimOptions options = {});
  ~SimCluster(); // SIGTERM, then SIGKILL after 5 s
  SimCluster(const SimCluster&) = delete;
  SimCluster& operator=(const SimCluster&) = delete;

  // Runs the real kubectl with --kubeconfig and --cache-dir of this cluster prepended.
  meshca::ProcessOutput kubectl(const std::vector<std::string>& args,
                                std::optional<std::string> input = {},
                                std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  HttpReply http(const std::string& method, const std::string& path, const std::string& body = {},
                 const std::string& content_type = "application/json") const;
  void set_faults(const std::string& json) const; // POST /simctl/faults, REQUIREs 200
  void clear_faults() const;
  // The mutation log entries (GET /simctl/log), parsed.
  std::vector<rapidjson::Document> log() const;
  long long stat(const std::string& key) const; // one /simctl/stats counter (0 when absent)
  // Stops the simulator with SIGTERM; returns its exit status (or -1 if it had to be killed).
  int stop();

  unsigned short port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string kubeconfig() const { return dir_ + "/kubeconfig"; }
  std::string log_file() const { return dir_ + "/mutations.jsonl"; }
  std::string stderr_text() const;

 private:
  std::string dir_;
  int pid_ = -1;
  unsigned short port_ = 0;
};

// Plain HTTP/1.1 over a Unix socket (for `kubectl proxy --unix-socket`).
HttpReply http_over_unix_socket(const std::string& socket_path, const std::string& method,
                                const std::string& path);

// Runs an arbitrary program (e.g. meshca-sim with bad flags) with the shared process runner.
meshca::ProcessOutput run(const std::string& program, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

std::string kubectl_path(); // $KUBECTL, else kubectl on PATH

} // namespace e2e
