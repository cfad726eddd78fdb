#include "meshca/util/private_files.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace meshca {
namespace {

constexpr mode_t kDirMode = 0700;
constexpr mode_t kFileMode = 0600;

std::string errno_text(int error) {
  return std::strerror(error);
}

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

int default_sync(int fd) {
  return ::fsync(fd);
}

Status sync_dir(const std::string& dir, const DurabilityHooks& hooks) {
  const Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0)
    return cluster_error("cannot open folder " + dir + " to flush it: " + errno_text(errno));
  const int rc = hooks.sync ? hooks.sync(fd.get()) : default_sync(fd.get());
  if (rc != 0)
    return cluster_error("cannot flush folder " + dir + " to disk: " + errno_text(errno));
  return done();
}

Status write_all(int fd, std::string_view content, const std::string& path) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0)
      return cluster_error("cannot write " + path + ": " + errno_text(errno));
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return done();
}

// Writes and flushes a new temporary file next to the destination; returns its path.
Result<std::string> write_temp(const std::string& dir, const std::string& name,
                               std::string_view content, const DurabilityHooks& hooks) {
  std::string pattern = dir + "/." + name + ".tmp-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  Fd fd(::mkostemp(buffer.data(), O_CLOEXEC)); // mkostemp creates the file 0600
  if (fd.get() < 0)
    return bad_input("cannot create a file in " + dir + ": " + errno_text(errno));
  const std::string temp(buffer.data());
  Status status = done();
  if (::fchmod(fd.get(), kFileMode) != 0)
    status = cluster_error("cannot set mode 0600 on " + temp + ": " + errno_text(errno));
  if (status.ok())
    status = write_all(fd.get(), content, temp);
  if (status.ok() && (hooks.sync ? hooks.sync(fd.get()) : default_sync(fd.get())) != 0)
    status = cluster_error("cannot flush " + temp + " to disk: " + errno_text(errno));
  if (status.ok() && ::close(fd.release()) != 0)
    status = cluster_error("cannot close " + temp + ": " + errno_text(errno));
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status.error();
  }
  return temp;
}

} // namespace

bool path_exists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

Result<PrivateDir> ensure_private_dir(const std::string& path) {
  if (path.empty())
    return bad_input("the backup folder name is empty");
  PrivateDir dir{path, false, {}};
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT)
      return bad_input("cannot use folder " + path + ": " + errno_text(errno));
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty() && !path_exists(parent.string())) {
      auto made = ensure_private_dir(parent.string());
      if (!made)
        return made.error();
    }
    if (::mkdir(path.c_str(), kDirMode) != 0 && errno != EEXIST)
      return bad_input("cannot create folder " + path + ": " + errno_text(errno));
    // The umask may have narrowed the mode, never widened it; set it exactly anyway.
    if (::chmod(path.c_str(), kDirMode) != 0)
      return bad_input("cannot set mode 0700 on folder " + path + ": " + errno_text(errno));
    dir.created = true;
    return dir;
  }
  if (!S_ISDIR(info.st_mode))
    return bad_input(path + " exists and is not a folder; name a new or existing folder");
  if (::access(path.c_str(), W_OK | X_OK) != 0)
    return bad_input("cannot write to folder " + path + ": " + errno_text(errno));
  if ((info.st_mode & 0077) != 0) {
    std::ostringstream mode;
    mode << std::oct << (info.st_mode & 0777);
    dir.warning = "folder " + path + " has mode 0" + mode.str() +
                  ": others can list it (the files themselves are 0600); chmod 700 " + path;
  }
  return dir;
}

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return bad_input("cannot read " + path + ": " + errno_text(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return bad_input("cannot read " + path);
  return text.str();
}

Result<WriteOutcome> write_private_file(const std::string& dir, const std::string& name,
                                        std::string_view content, const DurabilityHooks& hooks) {
  const std::string path = dir + "/" + name;
  if (path_exists(path)) {
    MESHCA_TRY_ASSIGN(auto existing, read_whole_file(path));
    if (existing == content)
      return WriteOutcome::already_identical;
    return bad_input(path + " already holds different content; nothing was overwritten "
                            "(use a new folder, or move the old file away after checking it)");
  }
  MESHCA_TRY_ASSIGN(auto temp, write_temp(dir, name, content, hooks));
  // link() never replaces: if another process created `path` meanwhile, this fails with EEXIST.
  const int linked = ::link(temp.c_str(), path.c_str());
  const int link_error = errno;
  ::unlink(temp.c_str());
  if (linked != 0 && link_error == EEXIST)
    return bad_input(path + " appeared while it was being written; nothing was overwritten");
  if (linked != 0)
    return cluster_error("cannot create " + path + ": " + errno_text(link_error));
  MESHCA_TRY(sync_dir(dir, hooks));
  if (hooks.before_read_back)
    hooks.before_read_back(path);
  auto back = read_whole_file(path);
  if (!back || *back != content) {
    ::unlink(path.c_str());
    (void)sync_dir(dir, hooks);
    return cluster_error(path + " does not read back as written (" +
                         (back ? "content differs" : back.error().message) +
                         "); the file was removed; check the disk and retry");
  }
  return WriteOutcome::written;
}

Status remove_private_file(const std::string& dir, const std::string& name) {
  const std::string path = dir + "/" + name;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return cluster_error("cannot remove " + path + ": " + errno_text(errno));
  return sync_dir(dir, {});
}

} // namespace meshca
