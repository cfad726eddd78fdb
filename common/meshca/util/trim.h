#pragma once
// The blanks around a word or a line: spaces, tabs and a Windows line end's carriage return.

#include <cstddef>
#include <string_view>

namespace meshca {

inline std::string_view trim_blanks(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos)
    return {};
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

} // namespace meshca
