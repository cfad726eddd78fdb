#include "meshca/cli/version_line.h"

#include "meshca/version.h"

#include <ostream>

namespace meshca {

void print_version(std::ostream& out) {
  out << "kubectl meshca version " << kVersion << " (" << kGitDescribe << ")\n";
}

} // namespace meshca
