#include "meshca/util/replace_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace meshca {
namespace {

std::string folder_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash + 1);
}

mode_t current_umask() {
  const mode_t mask = ::umask(0); // the only way to read it; put back at once
  ::umask(mask);
  return mask;
}

} // namespace

Status check_file_destination(const std::string& path, std::string_view flag) {
  const std::string dir = folder_of(path);
  struct stat info {};
  const std::string name = std::string(flag) + ": ";
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
    return bad_input(name + "is a folder; name a file in it");
  if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    return bad_input(name + "its folder does not exist; create it or name another file");
  if (::access(dir.c_str(), W_OK) != 0)
    return bad_input(name + "its folder is not writable; name a file in a folder you can write");
  return done();
}

Status replace_file(const std::string& path, std::string_view content, mode_t mode,
                    bool honour_umask, std::string_view flag) {
  const std::string dir = folder_of(path);
  std::string temp = dir + (dir.back() == '/' ? "" : "/") + ".meshca-write.XXXXXX";
  const int fd = ::mkstemp(temp.data()); // mode 0600 until the content is complete
  const std::string name = std::string(flag) + ": ";
  if (fd < 0)
    return bad_input(name + std::strerror(errno) + "; name a file in a folder you can write");
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    written += static_cast<std::size_t>(n);
  }
  const mode_t wanted = honour_umask ? (mode & ~current_umask()) : mode;
  const bool ok = written == content.size() && ::fchmod(fd, wanted) == 0 && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = ok ? errno : saved_errno;
    ::unlink(temp.c_str());
    return bad_input(name + std::strerror(error) + "; nothing was written");
  }
  return done();
}

} // namespace meshca
