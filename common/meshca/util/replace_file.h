#pragma once
// Writing a file a reader must never see half of: the content goes to a temporary file in the
// same folder, is synced, and is renamed over the path.

#include "meshca/util/result.h"

#include <string>
#include <string_view>
#include <sys/types.h>

namespace meshca {

// Whether replace_file(path) can work, checked before anything is read: the folder exists and is
// writable, and `path` is not a folder. bad_input naming `flag` ("--save \"x\"") and the fix.
Status check_file_destination(const std::string& path, std::string_view flag);

// Writes `content` to `path` with `mode` (less the umask when `honour_umask`), through a
// temporary file renamed into place. bad_input naming `flag` and the cause; on failure the path
// is untouched and no temporary file is left.
Status replace_file(const std::string& path, std::string_view content, mode_t mode,
                    bool honour_umask, std::string_view flag);

} // namespace meshca
