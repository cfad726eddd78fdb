#pragma once
// An exclusive lock on a --pki-dir, held while a simulator loads its PKI from the folder or
// generates one and writes it there: simulators starting at the same moment on one empty folder
// then share one PKI (the first generates and writes, the others load), instead of each
// writing files of its own PKI over the other's.

#include <memory>
#include <string>
#include <variant>

namespace sim::mesh {

class PkiDirLock {
 public:
  // Creates `dir` (0700) when missing and takes flock(LOCK_EX) on dir/.lock, waiting for another
  // holder. Returns an error message naming the folder when either fails.
  static std::variant<std::unique_ptr<PkiDirLock>, std::string> acquire(const std::string& dir);
  ~PkiDirLock(); // releases the lock (the .lock file stays)
  PkiDirLock(const PkiDirLock&) = delete;
  PkiDirLock& operator=(const PkiDirLock&) = delete;

 private:
  explicit PkiDirLock(int fd) : fd_(fd) {}
  int fd_;
};

} // namespace sim::mesh
