#pragma once
// The one `--version` line every executable of the suite prints.

#include <iosfwd>

namespace meshca {

// "kubectl meshca version 0.1.0 (git-describe)\n"
void print_version(std::ostream& out);

} // namespace meshca
