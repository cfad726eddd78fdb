#include "meshca/util/exec_replace.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <unistd.h>

namespace meshca {

Result<std::string> own_executable_path() {
  std::error_code ec;
  const std::filesystem::path path = std::filesystem::canonical("/proc/self/exe", ec);
  if (ec)
    return cluster_error("cannot resolve the path of this executable (/proc/self/exe): " +
                         ec.message());
  return path.string();
}

Error replace_process(const std::string& program, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 2);
  std::string argv0 = program;
  argv.push_back(argv0.data());
  std::vector<std::string> copies = args; // execv wants mutable strings
  for (std::string& arg : copies)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  const int err = errno;
  return cluster_error("cannot run " + program + ": " + std::strerror(err));
}

} // namespace meshca
