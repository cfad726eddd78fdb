#pragma once
// Files that hold secrets (CA private keys): folders 0700, files 0600, written to a temporary file
// in the same folder, flushed to disk, linked into place without ever replacing an existing file,
// then read back and compared. A crash leaves either no file or a complete one.

#include "meshca/util/result.h"

#include <functional>
#include <string>
#include <string_view>

namespace meshca {

struct PrivateDir {
  std::string path;
  bool created = false;
  std::string warning; // set when an existing folder is open to group or others
};

// Creates `path` with mode 0700 (missing parents are created 0700 too), or uses the existing
// folder as it is: its mode is not changed, but a folder others can enter is reported in
// `warning`. Errors are bad_input: not a folder, not writable, cannot be created.
Result<PrivateDir> ensure_private_dir(const std::string& path);

enum class WriteOutcome { written, already_identical };

// Seams for tests; the defaults are the real system calls.
struct DurabilityHooks {
  std::function<int(int fd)> sync;                               // default: ::fsync
  std::function<void(const std::string& path)> before_read_back; // e.g. corrupt the file
};

// Writes `content` to `dir`/`name` (mode 0600). When the file exists with exactly `content`,
// nothing is written (already_identical); with other content it is left alone and the result is
// bad_input "<path> already holds different content; nothing was overwritten ...". A failed
// flush is cluster_error; a read-back that differs removes the new file and is cluster_error.
Result<WriteOutcome> write_private_file(const std::string& dir, const std::string& name,
                                        std::string_view content,
                                        const DurabilityHooks& hooks = {});

// The whole file; bad_input naming the path when it cannot be read.
Result<std::string> read_whole_file(const std::string& path);

// True when `path` exists (any type).
bool path_exists(const std::string& path);

// Removes `dir`/`name` and flushes the folder; a missing file is success.
Status remove_private_file(const std::string& dir, const std::string& name);

} // namespace meshca
