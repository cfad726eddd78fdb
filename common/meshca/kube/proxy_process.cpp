#include "meshca/kube/proxy_process.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace meshca {
namespace {

using Clock = std::chrono::steady_clock;

// True when something listens on the Unix socket at `path`.
bool accepts_connections(const std::string& path) {
  sockaddr_un address{};
  if (path.size() >= sizeof(address.sun_path))
    return false;
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

std::string read_log(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return trim_kubectl_stderr(text.str());
}

std::string default_temp_root() {
  const char* tmpdir = std::getenv("TMPDIR"); // NOLINT(concurrency-mt-unsafe): read-only use
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

} // namespace

std::vector<std::string> proxy_args(const ConnectionFlags& flags, const std::string& socket_path) {
  std::vector<std::string> args = flags.to_args();
  args.insert(args.end(), {"proxy", "--unix-socket=" + socket_path, "--reject-paths=^$"});
  return args;
}

Result<std::string> make_private_temp_dir(const std::string& root) {
  std::string pattern = (root.empty() ? default_temp_root() : root) + "/kubectl-meshca-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    return cluster_error("cannot create a private folder for the kubectl proxy socket in \"" +
                         pattern.substr(0, pattern.rfind('/')) + "\": " + std::strerror(errno) +
                         "; set TMPDIR to a writable folder");
  return pattern; // mkdtemp creates it with mode 0700
}

Result<std::unique_ptr<KubectlProxy>> KubectlProxy::start(const ProxyStartOptions& options) {
  auto dir = make_private_temp_dir(options.temp_root);
  if (!dir)
    return dir.error();
  auto remove_dir = [&dir] {
    std::error_code ignored;
    std::filesystem::remove_all(*dir, ignored);
  };
  const std::string socket = *dir + "/sock";
  const std::string log = *dir + "/proxy.log";
  const auto args = proxy_args(options.flags, socket);
  if (options.verbose == Verbose::yes && options.echo != nullptr)
    *options.echo << format_echo(args, std::nullopt) << " &\n" << std::flush;
  auto process = BackgroundProcess::start({options.kubectl, args, log, {}});
  if (!process) {
    remove_dir();
    return process.error();
  }
  const auto deadline = Clock::now() + options.start_timeout;
  auto pause = std::chrono::milliseconds(2);
  while (!accepts_connections(socket)) {
    std::optional<std::string> failure;
    if (auto code = process->exit_code())
      failure = "kubectl proxy exited with code " + std::to_string(*code);
    else if (Clock::now() >= deadline)
      failure = "kubectl proxy did not listen on its socket within " +
                std::to_string(options.start_timeout.count() / 1000) + "s";
    if (failure) {
      process->stop();
      const std::string said = read_log(log);
      remove_dir();
      return cluster_error(*failure + (said.empty() ? "" : ": " + said));
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return std::unique_ptr<KubectlProxy>(new KubectlProxy(*dir, std::move(*process)));
}

KubectlProxy::~KubectlProxy() {
  process_.stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

} // namespace meshca
