// The kubectl proxy's command line, its private folder, and the background child under it.

#include "meshca/kube/proxy_process.h"
#include "meshca/util/background_process.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <sys/stat.h>
#include <thread>

using namespace meshca;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Alive and not a zombie (a killed orphan may wait for a reaper that never comes in a container).
bool is_running(int pid) {
  const std::string status = slurp("/proc/" + std::to_string(pid) + "/status");
  return !status.empty() && status.find("State:\tZ") == std::string::npos;
}

// A temp folder removed at the end of the test.
struct TempDir {
  std::string path;
  TempDir() : path(make_private_temp_dir("").value()) {}
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

} // namespace

TEST_CASE("proxy_args: the user's connection flags, then a proxy that lets exec through") {
  ConnectionFlags flags;
  flags.context = "east";
  flags.kubeconfig = "/k/config";
  CHECK(proxy_args(flags, "/tmp/d/sock") ==
        std::vector<std::string>{"--kubeconfig", "/k/config", "--context", "east", "proxy",
                                 "--unix-socket=/tmp/d/sock", "--reject-paths=^$"});
}

TEST_CASE("the proxy folder is private (0700) and unique") {
  TempDir a, b;
  CHECK(a.path != b.path);
  struct stat info {};
  REQUIRE(::stat(a.path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
  CHECK(fs::path(a.path).filename().string().rfind("kubectl-meshca-", 0) == 0);
}

TEST_CASE("a folder that cannot be created is a cluster error naming TMPDIR") {
  auto dir = make_private_temp_dir("/nonexistent/meshca-test");
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.error().status == ExitStatus::cluster_error);
  CHECK(dir.error().message.find("/nonexistent/meshca-test") != std::string::npos);
  CHECK(dir.error().message.find("TMPDIR") != std::string::npos);
}

TEST_CASE("a background child runs until stopped, stop kills its whole process group") {
  TempDir dir;
  const std::string out = dir.path + "/out";
  // sh only as a test program: it starts a grandchild in the same group, which stop() must kill.
  auto child = BackgroundProcess::start(
      {"/bin/sh",
       {"-c", "echo started; sleep 30 & echo $! > " + dir.path + "/grandchild; wait"},
       out,
       {}});
  REQUIRE(child.ok());
  for (int i = 0; i < 200 && !fs::exists(dir.path + "/grandchild"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(child->exit_code().has_value());
  const int grandchild = std::atoi(slurp(dir.path + "/grandchild").c_str());
  REQUIRE(grandchild > 0);
  CHECK(child->stop() == 128 + SIGTERM);
  CHECK(child->stop() == 128 + SIGTERM); // idempotent
  CHECK(slurp(out) == "started\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(is_running(grandchild)); // killed with the group
}

TEST_CASE("a child that exits is seen exiting, with its code and output") {
  TempDir dir;
  auto child =
      BackgroundProcess::start({"/bin/sh", {"-c", "echo oops >&2; exit 4"}, dir.path + "/o", {}});
  REQUIRE(child.ok());
  std::optional<int> code;
  for (int i = 0; i < 500 && !code; ++i) {
    code = child->exit_code();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(code == 4);
  CHECK(child->stop() == 4);
  CHECK(slurp(dir.path + "/o") == "oops\n");
}

TEST_CASE("a program that does not exist cannot be started") {
  auto missing = BackgroundProcess::start({"meshca-no-such-program", {}, "", {}});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("not found on PATH") != std::string::npos);
  auto bad_path = BackgroundProcess::start({"/nonexistent/prog", {}, "", {}});
  CHECK_FALSE(bad_path.ok());
}

TEST_CASE("a proxy that exits at once is reported with what it said, and leaves no folder") {
  TempDir root;
  ProxyStartOptions options;
  options.kubectl = "/bin/ls"; // not a kubectl: it rejects the proxy flags and exits
  options.temp_root = root.path;
  auto proxy = KubectlProxy::start(options);
  REQUIRE_FALSE(proxy.ok());
  CHECK(proxy.error().status == ExitStatus::cluster_error);
  CHECK(proxy.error().message.find("kubectl proxy exited with code 2: ") == 0);
  CHECK(proxy.error().message.find("unrecognized option") != std::string::npos);
  CHECK(fs::is_empty(root.path));
}
