#pragma once
// Reading test data files. Failures throw: a missing sample is a broken test setup.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace meshca::testing {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot open test data file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace meshca::testing
