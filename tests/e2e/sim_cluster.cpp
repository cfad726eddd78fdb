#include "sim_cluster.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace e2e {
namespace fs = std::filesystem;
namespace http = boost::beast::http;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::string make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "meshca-e2e-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

// The simulator runs for the whole test, so it is spawned here rather than through
// run_process (which waits for its child): argv only, stdout/stderr to files in the temp dir.
int spawn_in_background(const std::vector<std::string>& argv, const std::string& out_path,
                        const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  std::vector<char*> args;
  for (const auto& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// waitpid with a deadline; the exit status, or nullopt when the child is still running.
std::optional<int> wait_for_exit(int pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

template <class Stream>
HttpReply exchange(Stream& stream, const std::string& method, const std::string& path,
                   const std::string& body, const std::string& content_type) {
  http::request<http::string_body> req{http::string_to_verb(method), path, 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::content_type, content_type);
  req.body() = body;
  req.prepare_payload();
  boost::system::error_code ec;
  http::write(stream, req, ec);
  if (ec)
    return {};
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec)
    return {};
  return {static_cast<int>(res.result_int()), res.body()};
}

} // namespace

std::string kubectl_path() {
  if (const char* env = std::getenv("KUBECTL"); env && *env)
    return env;
  return meshca::find_in_path("kubectl").value_or("/usr/bin/kubectl");
}

meshca::ProcessOutput run(const std::string& program, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout) {
  auto result = meshca::run_process(meshca::ProcessSpec{program, args, std::nullopt, timeout, {}});
  REQUIRE_MESSAGE(result.ok(), "cannot start " << program);
  return *result;
}

SimCluster::SimCluster(SimOptions options) : dir_(make_temp_dir()) {
  std::vector<std::string> argv{MESHCA_SIM_BINARY,  "--port",     "0",
                                "--kubeconfig-out", kubeconfig(), "--ready-file",
                                dir_ + "/ready",    "--log",      log_file()};
  if (options.standard_seed) {
    write_text(dir_ + "/seed.json", standard_seed_json());
    argv.insert(argv.end(), {"--seed-json", dir_ + "/seed.json"});
  }
  if (!options.extra_seed_json.empty()) {
    write_text(dir_ + "/extra-seed.json", options.extra_seed_json);
    argv.insert(argv.end(), {"--seed-json", dir_ + "/extra-seed.json"});
  }
  argv.insert(argv.end(), options.args.begin(), options.args.end());
  pid_ = spawn_in_background(argv, dir_ + "/stdout", dir_ + "/stderr");
  REQUIRE_MESSAGE(pid_ > 0, "cannot start " << MESHCA_SIM_BINARY);
  // Up to 60 s: a sanitizer build making a scenario's PKI on a loaded 2-core machine once took
  // more than 10 s. A simulator that is ready ends the wait at once.
  for (int i = 0; i < 6000 && port_ == 0; ++i) {
    std::string ready = read_text(dir_ + "/ready");
    if (!ready.empty())
      port_ = static_cast<unsigned short>(std::stoi(ready));
    else if (wait_for_exit(pid_, std::chrono::milliseconds(10))) {
      pid_ = -1;
      break;
    }
  }
  REQUIRE_MESSAGE(port_ != 0, "meshca-sim did not become ready: " << stderr_text());
}

SimCluster::~SimCluster() {
  stop();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

int SimCluster::stop() {
  if (pid_ <= 0)
    return -1;
  ::kill(pid_, SIGTERM);
  auto status = wait_for_exit(pid_, std::chrono::seconds(5));
  if (!status) {
    ::kill(pid_, SIGKILL);
    wait_for_exit(pid_, std::chrono::seconds(5));
  }
  pid_ = -1;
  return status.value_or(-1);
}

std::string SimCluster::stderr_text() const {
  return read_text(dir_ + "/stderr");
}

meshca::ProcessOutput SimCluster::kubectl(const std::vector<std::string>& args,
                                          std::optional<std::string> input,
                                          std::chrono::milliseconds timeout) const {
  std::vector<std::string> full{"--kubeconfig", kubeconfig(), "--cache-dir", dir_ + "/kube-cache"};
  full.insert(full.end(), args.begin(), args.end());
  auto result =
      meshca::run_process(meshca::ProcessSpec{kubectl_path(), full, std::move(input), timeout, {}});
  REQUIRE_MESSAGE(result.ok(), "cannot start kubectl");
  return *result;
}

HttpReply SimCluster::http(const std::string& method, const std::string& path,
                           const std::string& body, const std::string& content_type) const {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
  if (ec)
    return {};
  return exchange(socket, method, path, body, content_type);
}

void SimCluster::set_faults(const std::string& json) const {
  auto reply = http("POST", "/simctl/faults", json);
  REQUIRE_MESSAGE(reply.status == 200, reply.body);
}

void SimCluster::clear_faults() const {
  REQUIRE(http("DELETE", "/simctl/faults").status == 200);
}

std::vector<rapidjson::Document> SimCluster::log() const {
  std::vector<rapidjson::Document> entries;
  std::istringstream lines(http("GET", "/simctl/log").body);
  for (std::string line; std::getline(lines, line);) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    REQUIRE_MESSAGE(!doc.HasParseError(), "bad log line: " << line);
    entries.push_back(std::move(doc));
  }
  return entries;
}

long long SimCluster::stat(const std::string& key) const {
  rapidjson::Document doc;
  doc.Parse(http("GET", "/simctl/stats").body.c_str());
  if (!doc.IsObject() || !doc.HasMember(key.c_str()))
    return 0;
  return doc[key.c_str()].GetInt64();
}

HttpReply http_over_unix_socket(const std::string& socket_path, const std::string& method,
                                const std::string& path) {
  boost::asio::io_context io;
  boost::asio::local::stream_protocol::socket socket(io);
  boost::system::error_code ec;
  socket.connect(boost::asio::local::stream_protocol::endpoint(socket_path), ec);
  if (ec)
    return {};
  return exchange(socket, method, path, "", "application/json");
}

std::string standard_seed_json() {
  return R"([
 {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo","labels":{"istio-injection":"enabled","team":"a"}}},
 {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"demo","labels":{"app":"web","tier":"front"}},
  "spec":{"nodeName":"node-1","containers":[{"name":"app","image":"nginx"},{"name":"istio-proxy","image":"proxyv2"}]},
  "status":{"phase":"Running","podIP":"10.0.0.5","containerStatuses":[{"name":"app","ready":true,"restartCount":0},
            {"name":"istio-proxy","ready":true,"restartCount":1}]}},
 {"apiVersion":"v1","kind":"Pod","metadata":{"name":"job-1","namespace":"demo","labels":{"app":"job"}},
  "spec":{"nodeName":"node-2","containers":[{"name":"app","image":"busybox"}]},"status":{"phase":"Succeeded"}},
 {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"demo","labels":{"app":"web"}},
  "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
          "spec":{"containers":[{"name":"app","image":"nginx"}]}}}},
 {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db","namespace":"demo"},
  "spec":{"replicas":1,"serviceName":"db","selector":{"matchLabels":{"app":"db"}},
          "template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"db","image":"pg"}]}}}},
 {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent","namespace":"demo"},
  "spec":{"selector":{"matchLabels":{"app":"agent"}},"template":{"metadata":{"labels":{"app":"agent"}},
          "spec":{"containers":[{"name":"a","image":"x"}]}}}},
 {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"demo"},
  "spec":{"clusterIP":"10.96.0.10","ports":[{"port":80,"protocol":"TCP"}],"selector":{"app":"web"}}},
 {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"web","namespace":"demo"},
  "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":3}},
 {"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"web","namespace":"demo"},
  "spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"web"}}}},
 {"apiVersion":"install.istio.io/v1alpha1","kind":"IstioOperator","metadata":{"name":"installed-state","namespace":"istio-system"},
  "spec":{"revision":"asm-1-20"}},
 {"apiVersion":"admissionregistration.k8s.io/v1","kind":"MutatingWebhookConfiguration","metadata":{"name":"istio-sidecar-injector"},
  "webhooks":[{"name":"namespace.sidecar-injector.istio.io"}]}
])";
}

} // namespace e2e
