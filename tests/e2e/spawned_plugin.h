#pragma once
// A plugin started in the background against a simulated cluster, so a test can signal it
// mid-work (Ctrl-C is SIGINT to the plugin's process) and then collect its output and exit code.
// Started with posix_spawn and an argument vector, never a shell; stdout and stderr go to files
// in the cluster's folder.

#include "plugin_runner.h"

#include <chrono>
#include <csignal>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace e2e {

class SpawnedPlugin {
 public:
  SpawnedPlugin(const SimCluster& sim, const std::string& executable, std::vector<std::string> args)
      : out_path_(sim.dir() + "/" + executable + "-" + std::to_string(++counter()) + ".out"),
        err_path_(out_path_ + ".err") {
    std::vector<std::string> argv_text{plugin_path(executable)};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_text)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text;
    for (const auto& [name, value] : plugin_env(sim, e2e::plugin_dir()))
      env_text.push_back(name + "=" + value);
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string text(*entry);
      const std::string name = text.substr(0, text.find('='));
      if (name != "KUBECACHEDIR" && name != "XDG_CACHE_HOME" && name != "PATH" &&
          name != "KUBECONFIG")
        env_text.push_back(text);
    }
    std::vector<char*> envp;
    for (auto& entry : env_text)
      envp.push_back(entry.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE_MESSAGE(rc == 0, "cannot start " << argv_text[0]);
  }

  ~SpawnedPlugin() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  SpawnedPlugin(const SpawnedPlugin&) = delete;
  SpawnedPlugin& operator=(const SpawnedPlugin&) = delete;

  int pid() const { return pid_; }

  // Ctrl-C on a terminal: SIGINT to the plugin (its kubectl children run in process groups of
  // their own, so the terminal's signal does not reach them).
  void interrupt() const { ::kill(pid_, SIGINT); }

  // Polls `ready` every 20 ms for up to `limit`; false when it never held or the plugin ended.
  bool wait_until(const std::function<bool()>& ready,
                  std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (ready())
        return true;
      if (ended())
        return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // The exit code (128 + signal when killed by one); FAILs when it has not ended within `limit`
  // (then it is killed).
  int wait(std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!ended()) {
      if (std::chrono::steady_clock::now() >= end) {
        ::kill(pid_, SIGKILL);
        FAIL("the plugin did not end within the limit after Ctrl-C; stderr: " << err());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return *exit_code_;
  }

  std::string out() const { return read(out_path_); }
  std::string err() const { return read(err_path_); }

 private:
  static int& counter() {
    static int value = 0;
    return value;
  }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  bool ended() {
    if (exit_code_)
      return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_)
      return false;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
  }

  std::string out_path_;
  std::string err_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Processes whose command line mentions `marker` (a path private to one test): the kubectl
// children a plugin left behind.
inline std::vector<std::string> processes_mentioning(const std::string& marker) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char& c : cmdline)
      if (c == '\0')
        c = ' ';
    if (cmdline.find(marker) != std::string::npos)
      found.push_back(name + ": " + cmdline);
  }
  return found;
}

} // namespace e2e
