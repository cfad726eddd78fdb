#include "mesh/pki_dir_lock.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <unistd.h>

namespace sim::mesh {

std::variant<std::unique_ptr<PkiDirLock>, std::string> PkiDirLock::acquire(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    // Another simulator may create it meanwhile: create_directories then reports no error.
    if (fs::create_directories(dir, ec))
      fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec)
      return "cannot create the certificate folder " + dir + ": " + ec.message();
  }
  const std::string path = (fs::path(dir) / ".lock").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return "cannot lock the certificate folder " + dir + ": " + path + ": " + std::strerror(errno);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR)
      continue;
    std::string message =
        "cannot lock the certificate folder " + dir + ": " + path + ": " + std::strerror(errno);
    ::close(fd);
    return message;
  }
  return std::unique_ptr<PkiDirLock>(new PkiDirLock(fd));
}

PkiDirLock::~PkiDirLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

} // namespace sim::mesh
